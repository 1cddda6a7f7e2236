import {
  type Client,
  encodeAbiParameters,
  getAbiItem,
  type Hex,
  hashTypedData,
  type LocalAccount,
  type ReadContractErrorType,
  type SignTypedDataErrorType,
  type TypedDataDomain,
} from 'viem'
import type { SmartAccount } from 'viem/account-abstraction'
import { getBlock, getCode, getEip712Domain, readContract } from 'viem/actions'
import { signTypedData as signTypedData7739 } from 'viem/experimental/erc7739'
import { BaseError } from '../errors/base.js'
import { InvalidParameterError } from '../errors/parameter.js'
import {
  type ContractNotDeployedError,
  SessionGrantInvalidError,
  type UntrustedModuleError,
} from '../errors/session.js'
import { accountCallsAbi } from '../generated/accountCallsAbi.js'
import { validatorViewsAbi, validatorWritesAbi } from '../generated/validatorCallsAbi.js'
import { checkGrantDeadline, checkGrantEpoch } from '../policy/checkSessionOperation.js'
import type { Session } from '../policy/dataTypes.js'
import { parseAddress, parseAmount } from '../utils/parse.js'
import { assertSession, type SessionConfigStruct, toSessionConfig } from './encode.js'
import { assertNotRotated, assertSessionChain, assertTrustedModule, type ModuleTrustOptions } from './trust.js'

/**
 * An off-chain grant: the owner's signature over the session (EIP-712, verified by the
 * account through ERC-1271), valid for the account's revocation `epoch` at signing time and
 * usable to create the session only by an operation validated at or before `enableBefore`.
 */
export type SessionGrant = { epoch: bigint; enableBefore: number; signature: Hex }

/** How long a grant can create its session when no deadline is given: one hour. */
export const defaultGrantLifetime = 3600

/**
 * The EIP-712 types of a grant (contracts/session/lib/GrantHashLib.sol hashes the same).
 * The primary type sorts before the types it references, as ERC-7739 requires.
 */
export const sessionGrantTypes = {
  SessionGrant: [
    { name: 'account', type: 'address' },
    { name: 'epoch', type: 'uint128' },
    { name: 'enableBefore', type: 'uint48' },
    { name: 'terms', type: 'SessionTerms' },
  ],
  SessionTerms: [
    { name: 'sessionKey', type: 'address' },
    { name: 'salt', type: 'bytes32' },
    { name: 'validAfter', type: 'uint48' },
    { name: 'validUntil', type: 'uint48' },
    { name: 'enabled', type: 'bool' },
    { name: 'paymasters', type: 'address[]' },
    { name: 'gasBudget', type: 'uint256' },
    { name: 'permissions', type: 'SessionPermission[]' },
  ],
  SessionPermission: [
    { name: 'target', type: 'address' },
    { name: 'selectors', type: 'bytes4[]' },
    { name: 'tokenLimit', type: 'uint256' },
    { name: 'valueLimitPerCall', type: 'uint256' },
    { name: 'valueLimitTotal', type: 'uint256' },
    { name: 'maxUses', type: 'uint256' },
    { name: 'flags', type: 'uint8' },
    { name: 'rules', type: 'SessionRule[]' },
    { name: 'recurring', type: 'SessionRecurrence' },
  ],
  SessionRecurrence: [
    { name: 'start', type: 'uint48' },
    { name: 'period', type: 'uint32' },
    { name: 'tokenLimit', type: 'uint256' },
    { name: 'valueLimit', type: 'uint256' },
    { name: 'maxUses', type: 'uint256' },
  ],
  SessionRule: [
    { name: 'selector', type: 'bytes4' },
    { name: 'word', type: 'uint8' },
    { name: 'condition', type: 'uint8' },
    { name: 'bits', type: 'uint16' },
    { name: 'values', type: 'bytes32[]' },
  ],
} as const

/** Parameters of {@link getSessionGrantTypedData}. */
export type GetSessionGrantTypedDataParameters = {
  session: Session
  /** The account's revocation epoch (`getEpoch` on the module). */
  epoch: bigint
  /** The deadline (seconds) for creating the session from the grant. */
  enableBefore: number
} & ModuleTrustOptions

/**
 * The typed data a wallet shows the owner to grant a session off-chain: every permission,
 * limit and the window, bound to the chain, the module, the account, its epoch and the
 * grant's deadline. Wallet side: the module must be the known one.
 *
 * @example
 * import { getSessionGrantTypedData } from 'session-keys'
 * const typedData = getSessionGrantTypedData({ session, epoch, enableBefore })
 */
export function getSessionGrantTypedData(parameters: GetSessionGrantTypedDataParameters) {
  const session = assertSession(parameters?.session)
  assertTrustedModule(session, parameters)
  assertNotRotated(session)
  const epoch = parseEpoch(parameters.epoch, 'epoch')
  const enableBefore = parseDeadline(parameters.enableBefore, 'enableBefore')
  const domain = moduleDomain(session)
  const config = toSessionConfig(session)
  return {
    domain,
    types: sessionGrantTypes,
    primaryType: 'SessionGrant' as const,
    message: { account: session.account, epoch, enableBefore, terms: toTypedConfig(config) },
  }
}

/** The module's EIP-712 domain on the session's chain (what its `_hashTypedDataV4` uses). */
export function moduleDomain(session: Session) {
  return {
    name: 'SessionKeyValidator',
    version: '1',
    chainId: session.chainId,
    verifyingContract: session.module,
  } as const satisfies TypedDataDomain
}

/** Parameters of {@link signSessionGrant}. */
export type SignSessionGrantParameters = {
  /** The session the dapp asked for (hostile input: checked in full). */
  session: Session
  /**
   * Who signs: the owner key of a {@link SessionAccount} (viem local account; the SDK nests
   * its signature in the account's domain, ERC-7739), or, on any other ERC-7579 account, the
   * account itself as the wallet's smart-account object (viem's `SmartAccount`), whose
   * `signTypedData` gives a signature the account confirms (ERC-1271) in its own format.
   */
  owner: LocalAccount | SessionGrantAccountSigner
  /**
   * Until when (seconds) the grant can create the session; by default one hour after the
   * chain's latest block, and never after the session's end.
   */
  enableBefore?: number | undefined
} & ModuleTrustOptions

/**
 * The account signing as itself (ERC-1271): what a wallet's viem `SmartAccount` provides.
 * Its signature is confirmed by the account before the grant is returned.
 */
export type SessionGrantAccountSigner = Pick<SmartAccount, 'address' | 'signTypedData'> & { type: 'smart' }

/** Return type of {@link signSessionGrant}. */
export type SignSessionGrantReturnType = SessionGrant
/** Errors of {@link signSessionGrant}. */
export type SignSessionGrantErrorType =
  | InvalidParameterError
  | UntrustedModuleError
  | ContractNotDeployedError
  | ReadContractErrorType
  | SignTypedDataErrorType

/**
 * Wallet side. The owner signs a grant: on a {@link SessionAccount}, with its owner key
 * (ERC-7739 nesting, so the signature is valid for this account only; the account's ERC-5267
 * domain must be SessionAccount's, as another account's ERC-1271 format would refuse it); on
 * any other ERC-7579 account, as the account itself (`owner` is the wallet's smart-account
 * object), and the account must confirm that signature before the grant is returned. Signs
 * only for the current state: the epoch is read from chain (never given), the module must be
 * the known one and installed on the account, the session must not exist or have been
 * revoked, and the grant carries a deadline. Nothing is sent: the dapp's first session-key
 * operation carries the grant.
 *
 * @throws {InvalidParameterError} when the session cannot be granted off-chain now, or by this owner on this account.
 * @throws {UntrustedModuleError} when the session names another module.
 * @param client A client on the session's chain (reads the epoch, the session and the deadline's base).
 * @param parameters The session, the owner (key or account), and optionally the grant's deadline.
 * @returns The grant: the epoch it is bound to, its deadline, and the owner's signature.
 * @example
 * import { signSessionGrant } from 'session-keys'
 * const grant = await signSessionGrant(client, { session, owner })
 * // On another vendor's account, signed as the account (a viem SmartAccount of the wallet):
 * const grantOnKernel = await signSessionGrant(client, { session, owner: kernelAccount })
 */
export async function signSessionGrant(
  client: Client,
  parameters: SignSessionGrantParameters,
): Promise<SignSessionGrantReturnType> {
  const session = assertSession(parameters?.session)
  assertTrustedModule(session, parameters)
  assertNotRotated(session)
  const owner = parseOwner(parameters.owner, session)
  if ('epoch' in (parameters as object)) {
    throw new InvalidParameterError({
      field: 'epoch',
      reason: 'a grant is signed for the current epoch only, read from chain',
      fix: 'leave epoch out',
    })
  }
  const [state, domain] = await Promise.all([
    readGrantState(client, session),
    owner.type === 'local' ? readAccountDomain(client, session) : undefined,
  ])
  if (!state.installed) {
    throw new InvalidParameterError({
      field: 'session.account',
      value: session.account,
      reason: 'the account is not deployed with the session module installed, so a grant could not be used',
      fix: 'grant this first session on chain with getGrantSessionCalls (it installs the module)',
    })
  }
  if (state.exists || state.revoked) {
    throw new InvalidParameterError({
      field: 'session.id',
      value: session.id,
      reason: state.revoked ? 'this session id was revoked' : 'this session already exists on chain',
      fix: 'define a new session (a new salt)',
    })
  }
  // The owner's signature is nested (ERC-7739) in SessionAccount's EIP-712 domain, as that
  // account checks it: another account (Kernel, Nexus, Safe…) checks ERC-1271 in its own
  // format, and the grant would be refused at its first use, after the owner approved it.
  const expected = sessionAccountVerifierDomain(session)
  if (
    owner.type === 'local' &&
    (domain?.name !== expected.name ||
      domain.version !== expected.version ||
      domain.chainId !== expected.chainId ||
      domain.verifyingContract?.toLowerCase() !== session.account.toLowerCase() ||
      BigInt(domain.salt ?? 0) !== 0n)
  ) {
    throw new InvalidParameterError({
      field: 'session.account',
      value: session.account,
      reason: `the account does not check signatures as SessionAccount does (ERC-7739 in its EIP-712 domain; ${domain ? `its domain is ${domain.name} ${domain.version}` : 'it has no ERC-5267 domain'}), so it would refuse an off-chain grant signed here`,
      fix: "give owner as the account itself (the wallet's viem SmartAccount, which signs as the account), or grant on chain with getGrantSessionCalls",
    })
  }
  const enableBefore =
    parameters.enableBefore === undefined
      ? Math.min(session.validUntil, state.now + defaultGrantLifetime)
      : parseDeadline(parameters.enableBefore, 'enableBefore')
  if (enableBefore <= state.now) {
    throw new InvalidParameterError({
      field: 'enableBefore',
      value: enableBefore,
      reason: `not after the chain's time (${state.now})`,
      fix: 'give a deadline in the future',
    })
  }
  const typedData = getSessionGrantTypedData({ session, epoch: state.epoch, enableBefore, allowUnknownModule: true })
  if (owner.type === 'local') {
    const signature = await signTypedData7739(client, {
      account: owner,
      ...typedData,
      verifierDomain: expected,
    } as never)
    return { epoch: state.epoch, enableBefore, signature }
  }
  const grant = { epoch: state.epoch, enableBefore, signature: await owner.signTypedData(typedData) }
  try {
    await assertOwnerSignedGrant(client, session, grant)
  } catch (cause) {
    throw new InvalidParameterError({
      field: 'owner',
      value: owner.address,
      reason:
        'the account did not confirm the signature its signTypedData gave (ERC-1271), so it would refuse the grant',
      fix: "sign with the account's own signer (the validator that owns it), or grant on chain with getGrantSessionCalls",
      cause,
    })
  }
  return grant
}

/** The grant's signer: a local key, or the session's account signing as itself. */
function parseOwner(owner: unknown, session: Session): LocalAccount | SessionGrantAccountSigner {
  const o = owner as { type?: string; address?: unknown; signTypedData?: unknown } | undefined
  if ((o?.type === 'local' || o?.type === 'smart') && typeof o.signTypedData === 'function') {
    if (o.type === 'smart' && parseAddress(o.address, 'owner.address') !== session.account) {
      throw new InvalidParameterError({
        field: 'owner.address',
        value: o.address,
        reason: `not the session's account ${session.account}`,
        fix: 'give the smart account the session is for',
      })
    }
    return owner as LocalAccount | SessionGrantAccountSigner
  }
  throw new InvalidParameterError({
    field: 'owner',
    reason: 'not a viem local account or smart account',
    fix: "give the SessionAccount owner's key (privateKeyToAccount), or the account itself as a viem SmartAccount",
  })
}

/**
 * The EIP-712 domain of the session's account (a {@link SessionAccount}), which ERC-7739 nests
 * the owner's grant, and any typed data the owner signs as the account, in.
 */
export function sessionAccountVerifierDomain(session: Pick<Session, 'chainId' | 'account'>) {
  return {
    name: 'SessionAccount',
    version: '1',
    chainId: session.chainId,
    verifyingContract: session.account,
    salt: `0x${'00'.repeat(32)}`,
  } as const satisfies TypedDataDomain
}

/**
 * Checks a grant before using it, as the module will: the epoch must still be current, the
 * deadline not passed at the next block, the session not created or revoked yet, and the
 * account must confirm the owner's signature (ERC-1271).
 *
 * @throws {SessionGrantEpochInvalidError} when the owner revoked all sessions since.
 * @throws {SessionGrantExpiredError} when the deadline has passed.
 * @throws {SessionGrantInvalidError} when the owner did not sign this session.
 * @example
 * import { verifySessionGrant } from 'session-keys'
 * await verifySessionGrant(client, { session, grant })
 */
export async function verifySessionGrant(
  client: Client,
  parameters: { session: Session; grant: SessionGrant },
): Promise<void> {
  const session = assertSession(parameters?.session)
  const grant = assertGrant(parameters?.grant)
  const state = await readGrantState(client, session)
  checkGrant(session, grant, { epoch: state.epoch, now: state.now + 1 })
  await assertOwnerSignedGrant(client, session, grant)
}

/**
 * The account confirms (ERC-1271) that its owner signed this grant, as the module asks it.
 *
 * @throws {SessionGrantInvalidError} when the owner did not sign this session.
 */
export async function assertOwnerSignedGrant(client: Client, session: Session, grant: SessionGrant): Promise<void> {
  let result: Hex
  try {
    result = await readContract(client, {
      address: session.account,
      abi: accountCallsAbi,
      functionName: 'isValidSignature',
      args: [getGrantDigest(session, grant), grant.signature],
    })
  } catch (cause) {
    throw new BaseError(`The account ${session.account} could not check the grant.`, {
      metaMessages: ['Is it deployed on this chain?'],
      cause,
    })
  }
  if (result !== '0x1626ba7e') throw new SessionGrantInvalidError({ sessionId: session.id })
}

/**
 * The grant's checks that need no signature (mirrors `_enableFromGrant`): the epoch is the
 * account's current one, and the deadline is not before `now` (the time the operation will
 * be validated at).
 */
export function checkGrant(session: Session, grant: SessionGrant, state: { epoch: bigint; now: number }): void {
  checkGrantEpoch(session, grant, state.epoch)
  checkGrantDeadline(session, grant, state.now)
}

/** The EIP-712 digest of a grant: what the owner signed, and what the session key binds. */
export function getGrantDigest(session: Session, grant: SessionGrant): Hex {
  return hashTypedData(
    getSessionGrantTypedData({
      session,
      epoch: grant.epoch,
      enableBefore: grant.enableBefore,
      allowUnknownModule: true,
    }),
  )
}

/** A grant's shape, checked. */
export function assertGrant(grant: unknown, field = 'grant'): SessionGrant {
  if (typeof grant !== 'object' || grant === null) {
    throw new InvalidParameterError({ field, value: grant, reason: 'not a grant object' })
  }
  const { epoch, enableBefore, signature } = grant as Record<string, unknown>
  if (typeof signature !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(signature)) {
    throw new InvalidParameterError({ field: `${field}.signature`, value: signature, reason: 'not hex bytes' })
  }
  return {
    epoch: parseEpoch(epoch, `${field}.epoch`),
    enableBefore: parseDeadline(enableBefore, `${field}.enableBefore`),
    signature: signature as Hex,
  }
}

/** `abi.encode(SessionConfig, uint128 epoch, uint48 enableBefore, bytes ownerSignature)`, as the "enable" signature carries it. */
export function encodeGrant(session: Session, grant: SessionGrant): Hex {
  const configParameter = getAbiItem({ abi: validatorWritesAbi, name: 'createSession' }).inputs[0]
  return encodeAbiParameters(
    [configParameter, { type: 'uint128' }, { type: 'uint48' }, { type: 'bytes' }],
    [toSessionConfig(session) as never, grant.epoch, grant.enableBefore, grant.signature],
  )
}

/** What a grant depends on, read from chain: epoch, session state, module installed, time. */
async function readGrantState(client: Client, session: Session) {
  await assertSessionChain(client, session)
  const base = { address: session.module, abi: validatorViewsAbi } as const
  const [epoch, state, code, block] = await Promise.all([
    readContract(client, { ...base, functionName: 'getEpoch', args: [session.account] }),
    readContract(client, { ...base, functionName: 'getSession', args: [session.account, session.id] }),
    getCode(client, { address: session.account }),
    getBlock(client, { blockTag: 'latest' }),
  ])
  const installed =
    Boolean(code) &&
    (await readContract(client, {
      address: session.account,
      abi: accountCallsAbi,
      functionName: 'isModuleInstalled',
      args: [1n, session.module, '0x'],
    }).catch(() => false))
  return { epoch, exists: state[3], revoked: state[4], installed, now: Number(block.timestamp) }
}

/** The account's ERC-5267 EIP-712 domain, or undefined when it has none. */
const readAccountDomain = (client: Client, session: Session) =>
  getEip712Domain(client, { address: session.account }).then(
    ({ domain }) => domain,
    () => undefined,
  )

/** A uint128 epoch, given as amounts are (bigint, safe integer or digits). */
const parseEpoch = (value: unknown, field: string): bigint => parseAmount(value, field, 2n ** 128n - 1n)

function parseDeadline(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > 2 ** 48 - 1) {
    throw new InvalidParameterError({
      field,
      value,
      reason: 'not a uint48 time in seconds',
      fix: 'give seconds since 1970',
    })
  }
  return value
}

function toTypedConfig(config: SessionConfigStruct) {
  return {
    ...config,
    permissions: config.permissions.map((p) => ({
      ...p,
      rules: p.rules.map((r) => ({ ...r })),
      recurring: { ...p.recurring },
    })),
  }
}
