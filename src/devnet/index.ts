export { type DeployContractsReturnType, type Deployments, deployContracts } from '../deploy/deployContracts.js'
export {
  type ConnectDevnetParameters,
  connectDevnet,
  createDevnet,
  type Devnet,
  type DevnetClient,
} from './createDevnet.js'
export { type DemoAccount, setupDemoAccount } from './demoAccount.js'
export {
  type CreateEntryPointSubmitterParameters,
  createEntryPointSubmitter,
  handleUserOperation,
  prepareUserOperation07,
  type SubmitterGasLimits,
} from './entryPointSubmitter.js'
export { bannedOpcodes, checkErc7562, type Erc7562Report, type Erc7562Violation } from './erc7562.js'
export { type DevnetServer, DevnetServerError, type StartDevnetServerOptions, startDevnetServer } from './server.js'
export {
  deployTestNft,
  deployTestTarget,
  deployTestToken,
  mintTestToken,
  testNftAbi,
  testTargetAbi,
  testTokenAbi,
} from './testContracts.js'
