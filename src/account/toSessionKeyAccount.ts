import { concat, type Hex, keccak256, type LocalAccount } from 'viem'
import { entryPoint07Abi, getUserOperationHash, type SmartAccount, toSmartAccount } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'
import { readContract } from 'viem/actions'
import { entryPointAddress } from '../constants/addresses.js'
import { BaseError } from '../errors/base.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { sessionKeyValidatorAbi } from '../generated/abis.js'
import { assertSession } from '../session/encode.js'
import { assertGrant, encodeGrant, type SessionGrant } from '../session/grant.js'
import type { Session } from '../session/types.js'
import { decodeExecute, encodeExecute } from './execution.js'
import type { AccountClient } from './toOwnerAccount.js'

/** Parameters of {@link toSessionKeyAccount}. */
export type ToSessionKeyAccountParameters = {
  /** A client connected to the session's chain. */
  client: AccountClient
  /** The granted session. */
  session: Session
  /** The session key: its private key, or a viem local account. */
  sessionKey: Hex | LocalAccount
  /**
   * The owner's off-chain grant ({@link signSessionGrant}), when the session was not created
   * on chain: operations carry it until the module has created the session.
   */
  grant?: SessionGrant | undefined
}

/** The session key cannot sign messages for the account (ERC-1271 is refused on chain too). */
export class SessionKeyCannotSignMessagesError extends BaseError {
  override name = 'SessionKeyCannotSignMessagesError'
  constructor() {
    super('A session key cannot sign messages or typed data for the account.', {
      metaMessages: [
        'Signatures such as Permit or Permit2 would escape the session rules, so the module refuses them.',
        'Send the action as a call the session permits instead.',
      ],
    })
  }
}

/** Signature forms: "use" 0x00 | key | salt | r | s | v, and "enable" 0x01 | … | grant. */
const signatureUse = '0x00' as Hex
const signatureEnable = '0x01' as Hex

/** A stub r | s | v of the right shape (low s, v = 27) for gas estimation. */
const stubRsv =
  '0xfffffffffffffffffffffffffffffff0000000000000000000000000000000007aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1b' as Hex

/**
 * The dapp's view of the account: a viem `SmartAccount` (EntryPoint v0.7) whose user
 * operations are signed by the session key alone. Send calls with it through a bundler
 * (viem's `sendUserOperation`) or a {@link UserOperationSubmitter}; the chain accepts only
 * calls the session permits, inside its window.
 *
 * @example
 * import { toSessionKeyAccount } from 'session-keys'
 * const account = await toSessionKeyAccount({ client, session, sessionKey: key.privateKey })
 */
export async function toSessionKeyAccount(
  parameters: ToSessionKeyAccountParameters,
): Promise<SmartAccount & { session: Session; grant?: SessionGrant | undefined }> {
  const { client } = parameters
  const session = assertSession(parameters.session)
  const signer = toLocalAccount(parameters.sessionKey)
  if (signer.address !== session.sessionKey) {
    throw new InvalidParameterError({
      field: 'sessionKey',
      value: signer.address,
      reason: `not the key of this session (${session.sessionKey})`,
      fix: 'pass the private key generated for this session',
    })
  }
  if (client.chain && client.chain.id !== session.chainId) {
    throw new InvalidParameterError({
      field: 'client.chain',
      value: client.chain.id,
      reason: `the session was granted on chain ${session.chainId}`,
      fix: 'use a client connected to the session chain',
    })
  }
  const sign = signer.sign as NonNullable<LocalAccount['sign']>
  const grant = parameters.grant === undefined ? undefined : assertGrant(parameters.grant)
  const grantData = grant ? encodeGrant(session, grant) : undefined
  let created = grant === undefined
  // The "enable" form (0x01 … grant) until the session exists on chain, then the "use" form.
  const prefix = async (): Promise<Hex> => {
    if (created) return signatureUse
    const [, , , exists] = await readContract(client, {
      address: session.module,
      abi: sessionKeyValidatorAbi,
      functionName: 'getSession',
      args: [session.account, session.id],
    })
    created = exists
    return exists ? signatureUse : signatureEnable
  }
  const withGrant = (form: Hex, rsv: Hex) =>
    form === signatureEnable && grantData
      ? concat([form, session.sessionKey, session.salt, rsv, grantData])
      : concat([form, session.sessionKey, session.salt, rsv])
  // ERC-7579 convention: the validator is the 20 high bytes of the 24-byte nonce key.
  const nonceKey = BigInt(session.module) << 32n

  const account = await toSmartAccount({
    client,
    entryPoint: { abi: entryPoint07Abi, address: entryPointAddress, version: '0.7' },
    extend: { session, grant },
    async getAddress() {
      return session.account
    },
    async encodeCalls(calls) {
      return encodeExecute(session.account, calls)
    },
    async decodeCalls(data) {
      return decodeExecute(session.account, data)
    },
    async getFactoryArgs() {
      return { factory: undefined, factoryData: undefined }
    },
    async getNonce() {
      return readContract(client, {
        address: entryPointAddress,
        abi: entryPoint07Abi,
        functionName: 'getNonce',
        args: [session.account, nonceKey],
      })
    },
    async getStubSignature() {
      return withGrant(await prefix(), stubRsv)
    },
    async signUserOperation(userOperation) {
      const userOpHash = getUserOperationHash({
        userOperation: { ...userOperation, sender: session.account },
        entryPointAddress,
        entryPointVersion: '0.7',
        chainId: userOperation.chainId ?? session.chainId,
      })
      // Bound to this operation and this session: keccak256(userOpHash ‖ sessionId).
      const signature = await sign({ hash: keccak256(concat([userOpHash, session.id])) })
      return withGrant(await prefix(), signature)
    },
    async signMessage() {
      throw new SessionKeyCannotSignMessagesError()
    },
    async signTypedData() {
      throw new SessionKeyCannotSignMessagesError()
    },
  })
  return account as SmartAccount & { session: Session; grant?: SessionGrant | undefined }
}

function toLocalAccount(key: Hex | LocalAccount): LocalAccount {
  if (typeof key === 'string') {
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
      throw new InvalidParameterError({
        field: 'sessionKey',
        reason: 'not a 32-byte private key',
        fix: 'pass generateSessionKey().privateKey or a viem local account',
      })
    }
    return privateKeyToAccount(key)
  }
  if (key?.type !== 'local' || typeof key.sign !== 'function') {
    throw new InvalidParameterError({
      field: 'sessionKey',
      reason: 'not a local account that can sign hashes',
      fix: 'pass generateSessionKey().privateKey or privateKeyToAccount(key)',
    })
  }
  return key
}
