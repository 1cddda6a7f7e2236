// The full ABIs of the contracts, for tools that need every function and event.
// A separate entry (`session-keys/abis`) so that the SDK's bundle does not carry them.
export { sessionAccountAbi, sessionAccountFactoryAbi, sessionKeyValidatorAbi } from './generated/abis.js'
