import { concat, type Hex, keccak256, type LocalAccount, numberToHex, pad } from 'viem'
import { entryPoint07Abi, getUserOperationHash, type SmartAccount, toSmartAccount } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'
import { estimateFeesPerGas, getGasPrice, readContract } from 'viem/actions'
import { getValidationTime } from '../actions/preflight.js'
import { entryPointAddress } from '../constants/addresses.js'
import { BaseError, errorDocs } from '../errors/base.js'
import { callRefusals } from '../errors/callRefusals.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { UnsafeUserOperationGasError } from '../errors/session.js'
import { validatorViewsAbi } from '../generated/validatorCallsAbi.js'
import { maxCostOf, type UserOperationGas } from '../policy/checkSessionOperation.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession, getSigningKey } from '../session/encode.js'
import { assertGrant, encodeGrant, getGrantDigest, type SessionGrant } from '../session/grant.js'
import { decodeExecute, encodeExecute } from './execution.js'
import { getValidatorNonceKey, type NonceKeyConvention } from './nonceKey.js'
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
  /**
   * Bounds on what the session key signs, whatever a bundler estimates or a dapp asks for
   * (see {@link SigningLimits}). Every operation is also checked against the session's
   * remaining gas budget, read from chain, before it is signed.
   */
  gasLimits?: Partial<SigningLimits> | undefined
  /**
   * How the session's account selects the validator from the nonce key; `'erc7579'` (the
   * validator in the key's high 20 bytes) by default. See {@link NonceKeyConvention}.
   */
  nonceKey?: NonceKeyConvention | undefined
}

/**
 * The most the session key signs in one operation. Gas fields come from the bundler (or
 * the dapp), and the account pays for them: an inflated estimate is refused, not signed.
 */
export type SigningLimits = {
  /** Default 2,000,000 (rollups put the L1 data cost here). */
  maxPreVerificationGas: bigint
  /** Default 3,000,000 (the first operation of an off-chain grant creates the session). */
  maxVerificationGasLimit: bigint
  /** Default 10,000,000. */
  maxCallGasLimit: bigint
  /** Each of the paymaster's verification and post-op limits; default 1,000,000. */
  maxPaymasterGasLimit: bigint
  /**
   * `maxFeePerGas` may be at most this many times the chain's own fee estimate
   * (`estimateFeesPerGas` on the session's client); default 3.
   */
  maxFeeMultiplier: number
}

/** The signing limits used when none are given. */
export const defaultSigningLimits: SigningLimits = {
  maxPreVerificationGas: 2_000_000n,
  maxVerificationGasLimit: 3_000_000n,
  maxCallGasLimit: 10_000_000n,
  maxPaymasterGasLimit: 1_000_000n,
  maxFeeMultiplier: 3,
}

/** The session key cannot sign messages for the account (ERC-1271 is refused on chain too). */
export class SessionKeyCannotSignMessagesError extends BaseError {
  override name = 'SessionKeyCannotSignMessagesError'
  constructor() {
    super('A session key cannot sign messages or typed data for the account.', {
      docsPath: errorDocs.beforeSigning,
      metaMessages: [
        'Signatures such as Permit or Permit2 would escape the session rules, so the module refuses them.',
        'Send the action as a call the session permits instead.',
      ],
    })
  }
}

/**
 * Signature forms: "use" 0x00 | key | salt | r | s | v, and "enable" 0x01 | … | grant. With
 * recurring limits the form has bit 0x02 and the claimed time (uint48) follows v.
 */
const signatureUse = '0x00' as Hex
const signatureEnable = '0x01' as Hex
const timeClaimBit = 0x02

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
  const signer = sessionKeySigner(session, parameters.sessionKey)
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
  // In the "enable" form the key also signs the grant's digest: nobody can swap the grant;
  // with recurring limits, the claimed time too: nobody can move the operation to another period.
  const signedFor = (form: Hex, claim: Hex | undefined): Hex => {
    const base =
      form === signatureEnable && grant ? keccak256(concat([session.id, getGrantDigest(session, grant)])) : session.id
    return claim === undefined ? base : keccak256(concat([base, pad(claim, { size: 32 })]))
  }
  // Recurring limits are charged to the period of a time the signature claims; the module
  // narrows the operation's window to that period. The SDK claims the time the next block
  // will have: the operation must land in the same period (preflight warns near the end).
  const recurring = session.permissions.some((p) => p.recurring !== undefined)
  const claimTime = async (): Promise<Hex | undefined> =>
    recurring ? numberToHex(await getValidationTime(client), { size: 6 }) : undefined
  const formByte = (form: Hex, claim: Hex | undefined): Hex =>
    claim === undefined ? form : numberToHex(Number(form) | timeClaimBit, { size: 1 })
  const limits = parseSigningLimits(parameters.gasLimits)
  let created = grant === undefined
  // The "enable" form (0x01 … grant) until the session exists on chain, then the "use" form.
  const prefix = async (): Promise<Hex> => {
    if (created) return signatureUse
    const [, , , exists] = await readContract(client, {
      address: session.module,
      abi: validatorViewsAbi,
      functionName: 'getSession',
      args: [session.account, session.id],
    })
    created = exists
    return exists ? signatureUse : signatureEnable
  }
  const withGrant = (form: Hex, rsv: Hex, claim: Hex | undefined) =>
    concat([
      formByte(form, claim),
      session.sessionKey,
      session.salt,
      rsv,
      ...(claim === undefined ? [] : [claim]),
      ...(form === signatureEnable && grantData ? [grantData] : []),
    ])
  // The account selects the validator from the nonce key (ERC-7579 accounts differ in layout).
  const nonceKey = getValidatorNonceKey(session.module, parameters.nonceKey)

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
      const [form, claim] = await Promise.all([prefix(), claimTime()])
      return withGrant(form, stubRsv, claim)
    },
    async signUserOperation(userOperation) {
      const userOpHash = getUserOperationHash({
        userOperation: { ...userOperation, sender: session.account },
        entryPointAddress,
        entryPointVersion: '0.7',
        chainId: userOperation.chainId ?? session.chainId,
      })
      const [form, claim] = await Promise.all([prefix(), claimTime()])
      await assertSafeGas(client, session, userOperation, limits, form === signatureEnable)
      // Bound to this operation and this session (its grant, its claimed time):
      // keccak256(userOpHash ‖ signedFor).
      const signature = await sign({ hash: keccak256(concat([userOpHash, signedFor(form, claim)])) })
      return withGrant(form, signature, claim)
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

/**
 * Refuses to sign gas fields beyond the signing limits, or a maximum cost beyond what is left
 * of the session's gas budget (read from chain; the whole budget when this operation creates
 * the session from its grant).
 */
async function assertSafeGas(
  client: AccountClient,
  session: Session,
  userOperation: UserOperationGas & { maxPriorityFeePerGas?: bigint | undefined },
  limits: SigningLimits,
  creates: boolean,
): Promise<void> {
  const field = (name: keyof typeof userOperation) => userOperation[name] ?? 0n
  const caps: [keyof typeof userOperation, bigint][] = [
    ['preVerificationGas', limits.maxPreVerificationGas],
    ['verificationGasLimit', limits.maxVerificationGasLimit],
    ['callGasLimit', limits.maxCallGasLimit],
    ['paymasterVerificationGasLimit', limits.maxPaymasterGasLimit],
    ['paymasterPostOpGasLimit', limits.maxPaymasterGasLimit],
  ]
  for (const [name, cap] of caps) {
    if (field(name) > cap) {
      throw new UnsafeUserOperationGasError({
        field: name,
        value: field(name),
        limit: cap,
        reason: 'the signing limit',
      })
    }
  }
  const maxFee = field('maxFeePerGas')
  if (field('maxPriorityFeePerGas') > maxFee) {
    throw new UnsafeUserOperationGasError({
      field: 'maxPriorityFeePerGas',
      value: field('maxPriorityFeePerGas'),
      limit: maxFee,
      reason: 'maxFeePerGas',
    })
  }
  const [fees, budget] = await Promise.all([
    // Chains without EIP-1559 fees: the legacy gas price is the reference.
    estimateFeesPerGas(client).catch(async () => ({ maxFeePerGas: await getGasPrice(client) })),
    creates || session.gasBudget === 'unlimited'
      ? undefined
      : Promise.all([
          readContract(client, {
            address: session.module,
            abi: validatorViewsAbi,
            functionName: 'getGasLeft',
            args: [session.account, session.id],
          }),
          readContract(client, {
            address: session.module,
            abi: validatorViewsAbi,
            functionName: 'getSession',
            args: [session.account, session.id],
          }),
        ]),
  ])
  const feeCap = (fees.maxFeePerGas * BigInt(Math.round(limits.maxFeeMultiplier * 100))) / 100n
  if (maxFee > feeCap) {
    throw new UnsafeUserOperationGasError({
      field: 'maxFeePerGas',
      value: maxFee,
      limit: feeCap,
      reason: `${limits.maxFeeMultiplier} × the chain's fee estimate`,
    })
  }
  if (session.gasBudget === 'unlimited') return
  // A session not created yet (the chain refuses it anyway, or a grant creates it): its own budget.
  const left = budget?.[1][3] ? budget[0] : session.gasBudget
  const cost = maxCostOf(userOperation)
  if (cost > left) throw callRefusals.gasBudgetExceeded(left, cost, { budget: session.gasBudget })
}

function parseSigningLimits(given: Partial<SigningLimits> | undefined): SigningLimits {
  if (given === undefined) return defaultSigningLimits
  if (typeof given !== 'object' || given === null) {
    throw new InvalidParameterError({ field: 'gasLimits', value: given, reason: 'not an object' })
  }
  const limits = { ...defaultSigningLimits, ...given }
  for (const [name, value] of Object.entries(limits)) {
    const ok =
      name === 'maxFeeMultiplier' ? typeof value === 'number' && value >= 1 : typeof value === 'bigint' && value >= 0n
    if (!ok) {
      throw new InvalidParameterError({
        field: `gasLimits.${name}`,
        value,
        reason: name === 'maxFeeMultiplier' ? 'not a number of at least 1' : 'not a non-negative bigint',
      })
    }
  }
  return limits
}

/** The session's key as a viem local account; refuses any other key. */
export function sessionKeySigner(session: Session, key: Hex | LocalAccount): LocalAccount {
  const signer = toLocalAccount(key)
  if (signer.address !== getSigningKey(session)) {
    throw new InvalidParameterError({
      field: 'sessionKey',
      value: signer.address,
      reason: `not the key of this session (${getSigningKey(session)}${session.rotatedKey ? `, rotated from ${session.sessionKey}` : ''})`,
      fix: 'pass the private key generated for this session',
    })
  }
  return signer
}

/** The session key as a viem local account: a 32-byte private key, or a local account that signs hashes. */
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
