import { type Address, type Client, getAddress } from 'viem'
import { getChainId } from 'viem/actions'
import { sessionKeyValidatorAddress } from '../constants/addresses.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { UntrustedModuleError } from '../errors/session.js'
import type { Session } from '../policy/dataTypes.js'
import { parseAddress } from '../utils/parse.js'

/** Options of the wallet-side functions: what the wallet checks the dapp's session against. */
export type ModuleTrustOptions = {
  /**
   * The wallet's own account. A session for any other account (another account of the same
   * owner, say) is refused: the owner approves for the account the wallet shows.
   */
  account?: Address | undefined
  /**
   * Accept a session whose module is not the session-keys validator at its known address.
   * Unsafe: a module chosen by the dapp can accept any operation. Only for a wallet that
   * audited that module; the description then shows it first, as a warning.
   */
  allowUnknownModule?: boolean | undefined
}

/**
 * Wallet side: the session must name the session-keys validator at its deterministic
 * address (the same on every chain, deployed through the CREATE2 deployer), unless the
 * wallet opted in explicitly, and be for the wallet's account when the wallet names it.
 * Returns whether the module is the known one.
 *
 * @throws {UntrustedModuleError} when the module is another and no opt-in was given.
 * @example
 * import { assertTrustedModule } from 'session-keys'
 * assertTrustedModule(session) // throws for a module the dapp chose
 */
export function assertTrustedModule(session: Session, options: ModuleTrustOptions = {}): boolean {
  if (options.account !== undefined && parseAddress(options.account, 'account') !== session.account) {
    throw new InvalidParameterError({
      field: 'session.account',
      value: session.account,
      reason: `the session is for ${session.account}, not for this wallet's account ${getAddress(options.account)}`,
      fix: 'ask the dapp for a session on the account the wallet manages',
    })
  }
  const known = getAddress(session.module) === getAddress(sessionKeyValidatorAddress)
  if (!known && options.allowUnknownModule !== true) {
    throw new UntrustedModuleError({ module: session.module, expected: getAddress(sessionKeyValidatorAddress) })
  }
  return known
}

/**
 * Wallet side: the client must be on the session's chain (what the owner signs or sends is
 * bound to it). Returns the chain id.
 *
 * @throws {InvalidParameterError} naming `session.chainId`.
 */
export async function assertSessionChain(client: Client, session: Session): Promise<number> {
  const chainId = client.chain?.id ?? (await getChainId(client))
  if (chainId !== session.chainId) {
    throw new InvalidParameterError({
      field: 'session.chainId',
      value: session.chainId,
      reason: `the client is connected to chain ${chainId}`,
      fix: 'use a client connected to the session chain',
    })
  }
  return chainId
}

/**
 * Wallet side: a session to grant names no rotated key. The grant creates the session of
 * `sessionKey`; a `rotatedKey` shown beside it would be a key the grant does not give.
 *
 * @throws {InvalidParameterError} naming `session.rotatedKey`.
 */
export function assertNotRotated(session: Session): void {
  if (session.rotatedKey !== undefined) {
    throw new InvalidParameterError({
      field: 'session.rotatedKey',
      value: session.rotatedKey,
      reason: 'a grant creates the session of sessionKey; a rotated key is given only by rotating a live session',
      fix: 'ask the dapp for a session defined for its current key, without rotatedKey',
    })
  }
}
