import {
  type Client,
  encodeAbiParameters,
  getAbiItem,
  type Hex,
  hashTypedData,
  type LocalAccount,
  type TypedDataDomain,
} from 'viem'
import { readContract } from 'viem/actions'
import { signTypedData as signTypedData7739 } from 'viem/experimental/erc7739'
import { BaseError } from '../errors/base.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { sessionKeyValidatorAbi } from '../generated/abis.js'
import { accountCallsAbi } from '../generated/accountCallsAbi.js'
import { assertSession, type SessionConfigStruct, toSessionConfig } from './encode.js'
import type { Session } from './types.js'

/**
 * An off-chain grant: the owner's signature over the session (EIP-712, verified by the
 * account through ERC-1271), valid for the account's revocation `epoch` at signing time.
 */
export type SessionGrant = { epoch: number; signature: Hex }

/**
 * The EIP-712 types of a grant (contracts/session/lib/GrantHashLib.sol hashes the same).
 * The primary type sorts before the types it references, as ERC-7739 requires.
 */
export const sessionGrantTypes = {
  SessionGrant: [
    { name: 'account', type: 'address' },
    { name: 'epoch', type: 'uint32' },
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
  ],
  SessionRule: [
    { name: 'selector', type: 'bytes4' },
    { name: 'word', type: 'uint8' },
    { name: 'condition', type: 'uint8' },
    { name: 'bits', type: 'uint16' },
    { name: 'values', type: 'bytes32[]' },
  ],
} as const

/**
 * The typed data a wallet shows the owner to grant a session off-chain: every permission,
 * limit and the window, bound to the chain, the module, the account and its epoch.
 *
 * @example
 * import { getSessionGrantTypedData } from 'session-keys'
 * const typedData = getSessionGrantTypedData({ session, epoch: 0 })
 */
export function getSessionGrantTypedData(parameters: { session: Session; epoch: number }) {
  const session = assertSession(parameters?.session)
  const { epoch } = parameters
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 2 ** 32 - 1) {
    throw new InvalidParameterError({ field: 'epoch', value: epoch, reason: 'not a uint32' })
  }
  const domain = {
    name: 'SessionKeyValidator',
    version: '1',
    chainId: session.chainId,
    verifyingContract: session.module,
  } as const satisfies TypedDataDomain
  const config = toSessionConfig(session)
  return {
    domain,
    types: sessionGrantTypes,
    primaryType: 'SessionGrant' as const,
    message: { account: session.account, epoch, terms: toTypedConfig(config) },
  }
}

/**
 * The owner signs a grant for a {@link SessionAccount} (ERC-7739 nesting, so the signature
 * is valid for this account only). The account's current epoch is read from chain unless
 * given. Nothing is sent: the dapp's first session-key operation carries the grant and the
 * module creates the session then.
 *
 * @example
 * import { signSessionGrant } from 'session-keys'
 * const grant = await signSessionGrant(client, { session, owner })
 */
export async function signSessionGrant(
  client: Client,
  parameters: { session: Session; owner: LocalAccount; epoch?: number | undefined },
): Promise<SessionGrant> {
  const session = assertSession(parameters?.session)
  const { owner } = parameters
  if (owner?.type !== 'local') {
    throw new InvalidParameterError({ field: 'owner', reason: 'not a viem local account' })
  }
  const epoch = parameters.epoch ?? (await readEpoch(client, session))
  const typedData = getSessionGrantTypedData({ session, epoch })
  const signature = await signTypedData7739(client, {
    account: owner,
    ...typedData,
    verifierDomain: {
      name: 'SessionAccount',
      version: '1',
      chainId: session.chainId,
      verifyingContract: session.account,
      salt: `0x${'00'.repeat(32)}`,
    },
  } as never)
  return { epoch, signature }
}

/**
 * Checks a grant before using it: the account must confirm the owner's signature (ERC-1271)
 * and the epoch must still be current.
 *
 * @throws {InvalidParameterError} naming `grant.signature` or `grant.epoch`.
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
  const epoch = await readEpoch(client, session)
  if (grant.epoch !== epoch) {
    throw new InvalidParameterError({
      field: 'grant.epoch',
      value: grant.epoch,
      reason: `the account revoked all sessions since (its epoch is now ${epoch})`,
      fix: 'ask the owner for a new grant',
    })
  }
  const digest = hashTypedData(getSessionGrantTypedData({ session, epoch: grant.epoch }))
  let result: Hex
  try {
    result = await readContract(client, {
      address: session.account,
      abi: accountCallsAbi,
      functionName: 'isValidSignature',
      args: [digest, grant.signature],
    })
  } catch (cause) {
    throw new BaseError(`The account ${session.account} could not check the grant.`, {
      metaMessages: ['Is it deployed on this chain?'],
      cause,
    })
  }
  if (result !== '0x1626ba7e') {
    throw new InvalidParameterError({
      field: 'grant.signature',
      reason: "the account's owner did not sign this session (or it was changed after signing)",
      fix: 'ask the owner to sign the grant for exactly this session',
    })
  }
}

/** A grant's shape, checked. */
export function assertGrant(grant: unknown, field = 'grant'): SessionGrant {
  if (typeof grant !== 'object' || grant === null) {
    throw new InvalidParameterError({ field, value: grant, reason: 'not a grant object' })
  }
  const { epoch, signature } = grant as Record<string, unknown>
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0 || epoch > 2 ** 32 - 1) {
    throw new InvalidParameterError({ field: `${field}.epoch`, value: epoch, reason: 'not a uint32' })
  }
  if (typeof signature !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(signature)) {
    throw new InvalidParameterError({ field: `${field}.signature`, value: signature, reason: 'not hex bytes' })
  }
  return { epoch, signature: signature as Hex }
}

/** `abi.encode(SessionConfig, uint32 epoch, bytes ownerSignature)`, as the "enable" signature carries it. */
export function encodeGrant(session: Session, grant: SessionGrant): Hex {
  const configParameter = getAbiItem({ abi: sessionKeyValidatorAbi, name: 'createSession' }).inputs[0]
  return encodeAbiParameters(
    [configParameter, { type: 'uint32' }, { type: 'bytes' }],
    [toSessionConfig(session) as never, grant.epoch, grant.signature],
  )
}

async function readEpoch(client: Client, session: Session): Promise<number> {
  return readContract(client, {
    address: session.module,
    abi: sessionKeyValidatorAbi,
    functionName: 'getEpoch',
    args: [session.account],
  })
}

function toTypedConfig(config: SessionConfigStruct) {
  return {
    ...config,
    permissions: config.permissions.map((p) => ({ ...p, rules: p.rules.map((r) => ({ ...r })) })),
  }
}
