import { type Call, encodeFunctionData, type Hex, hashTypedData, type LocalAccount } from 'viem'
import { sessionKeySigner } from '../account/toSessionKeyAccount.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { validatorWritesAbi } from '../generated/validatorCallsAbi.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession } from '../session/encode.js'
import { moduleDomain } from '../session/grant.js'

/** Parameters of {@link signSessionRenouncement}. */
export type SignSessionRenouncementParameters = {
  /** The session to end. */
  session: Session
  /** Its key: the private key, or a viem local account. */
  sessionKey: Hex | LocalAccount
}

/** Parameters of {@link getRenounceSessionCalls}. */
export type GetRenounceSessionCallsParameters = {
  session: Session
  /** The session key's renouncement ({@link signSessionRenouncement}). */
  signature: Hex
}

/** The EIP-712 renouncement the module checks (`getRenouncementDigest` on chain). */
export function getSessionRenouncementTypedData(session: Session) {
  return renouncementTypedData(assertSession(session))
}

function renouncementTypedData(checked: Session) {
  return {
    domain: moduleDomain(checked),
    types: {
      SessionRenouncement: [
        { name: 'account', type: 'address' },
        { name: 'sessionId', type: 'bytes32' },
      ],
    },
    primaryType: 'SessionRenouncement',
    message: { account: checked.account, sessionId: checked.id },
  } as const
}

/**
 * Dapp side: the session key signs the end of its own session. Nothing is sent: anyone (the
 * dapp's backend, the wallet, any relayer) submits it with {@link getRenounceSessionCalls};
 * the module then refuses every later operation of the session, and a session not created
 * yet can never be created from its grant.
 *
 * @param parameters The session and its key.
 * @returns The key's signature of the renouncement.
 * @throws {InvalidParameterError} when the key is not the session's.
 * @example
 * import { getRenounceSessionCalls, signSessionRenouncement } from 'session-keys'
 * const signature = await signSessionRenouncement({ session, sessionKey: key.privateKey })
 * const calls = getRenounceSessionCalls({ session, signature }) // send from any account
 */
export async function signSessionRenouncement(parameters: SignSessionRenouncementParameters): Promise<Hex> {
  const session = assertSession(parameters?.session)
  const signer = sessionKeySigner(session, parameters.sessionKey)
  const sign = signer.sign as NonNullable<LocalAccount['sign']>
  return sign({ hash: hashTypedData(renouncementTypedData(session)) })
}

/**
 * The call that ends a session with its key's renouncement. Any account or EOA may send it:
 * the module checks the signature, not the sender.
 *
 * @param parameters The session and the key's signature.
 * @returns The call to the module.
 * @example
 * import { getRenounceSessionCalls } from 'session-keys'
 * await walletClient.sendTransaction(getRenounceSessionCalls({ session, signature })[0])
 */
export function getRenounceSessionCalls(parameters: GetRenounceSessionCallsParameters): Call[] {
  const session = assertSession(parameters?.session)
  if (typeof parameters.signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(parameters.signature)) {
    throw new InvalidParameterError({
      field: 'signature',
      value: parameters.signature,
      reason: 'not a 65-byte signature',
      fix: 'pass what signSessionRenouncement returned',
    })
  }
  return [
    {
      to: session.module,
      data: encodeFunctionData({
        abi: validatorWritesAbi,
        functionName: 'renounceSession',
        args: [session.account, session.sessionKey, session.salt, parameters.signature],
      }),
    },
  ]
}
