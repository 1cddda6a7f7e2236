import { entryPoint07Address } from 'viem/account-abstraction'

export {
  deploySalt,
  sessionAccountFactoryAddress,
  sessionKeyValidatorAddress,
  sessionStoreLibAddress,
} from '../generated/addresses.js'

/** EntryPoint v0.7 at its canonical address. */
export const entryPointAddress = entryPoint07Address

/** The deterministic CREATE2 deployer (Arachnid's), used for every deployment of this project. */
export const create2DeployerAddress = '0x4e59b44847b379578588920ca78fbf26c0b4956c' as const
