import {
  type Address,
  type BlockNumber,
  type Client,
  decodeAbiParameters,
  decodeFunctionData,
  type GetLogsErrorType,
  getAbiItem,
  getAddress,
  type Hex,
  type ReadContractErrorType,
  size,
  sliceHex,
} from 'viem'
import { entryPoint07Abi } from 'viem/account-abstraction'
import { getChainId, getLogs, getTransaction } from 'viem/actions'
import { accountOperationsIn } from '../account/bundle.js'
import { decodeExecute } from '../account/execution.js'
import { readSessionSignature } from '../account/signature.js'
import { entryPointAddress, sessionKeyValidatorAddress } from '../constants/addresses.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { accountCallsAbi } from '../generated/accountCallsAbi.js'
import { validatorWritesAbi } from '../generated/validatorCallsAbi.js'
import type { SessionUsage } from '../policy/checkSessionOperation.js'
import type { Session } from '../policy/dataTypes.js'
import { fromSessionConfig, getSessionId, type SessionConfigStruct } from '../session/encode.js'
import { parseAddress } from '../utils/parse.js'
import { readSessionStatus, type SessionStatus } from './getSessionStatus.js'
import { getSessionUsage } from './preflight.js'

/** The module's `SessionCreated` event (the audit trail this list starts from). */
const sessionCreatedEvent = {
  type: 'event',
  name: 'SessionCreated',
  inputs: [
    { indexed: true, name: 'account', type: 'address' },
    { indexed: true, name: 'sessionId', type: 'bytes32' },
    { indexed: false, name: 'sessionKey', type: 'address' },
    { indexed: false, name: 'validAfter', type: 'uint48' },
    { indexed: false, name: 'validUntil', type: 'uint48' },
    { indexed: false, name: 'enabled', type: 'bool' },
  ],
} as const

/** Parameters of {@link listSessions}. */
export type ListSessionsParameters = {
  /** The smart account whose sessions to list. */
  account: Address
  /** The session-keys validator (the deployed one by default). */
  module?: Address | undefined
  /**
   * The first block to search (default: 0). Public RPCs often limit the range of `eth_getLogs`:
   * give the block the module was installed in.
   */
  fromBlock?: BlockNumber | undefined
  toBlock?: BlockNumber | undefined
}

/** One session of the account, as the chain has it now. */
export type ListedSession = {
  id: Hex
  /** The key the session was created for (`session.rotatedKey`, when set, is the key that signs now). */
  sessionKey: Address
  validAfter: number
  validUntil: number
  /** `active`, `revoked`, `disabled`, `not-yet-valid` or `expired`, at the chain's latest block. */
  status: SessionStatus
  /** Where it was created. */
  createdIn: { blockNumber: bigint; transactionHash: Hex }
  /**
   * The session's terms, read back from the calldata that created it (`createSession`,
   * `installModule`, or an off-chain grant carried by a user operation) and checked against
   * its id; undefined when that calldata is not in a shape the SDK reads (another account's
   * `execute`, a contract that created it). A key the owner rotated to is in `rotatedKey`.
   */
  session: Session | undefined
  /**
   * With `session`: what the chain has counted (lifetime and, for recurring limits, the period
   * last charged), for each listed destination and, with an any-destination permission, each
   * destination the session's operations in the searched blocks called.
   */
  usage: SessionUsage | undefined
}

/** Return type of {@link listSessions}: oldest first. */
export type ListSessionsReturnType = ListedSession[]
/** Errors of {@link listSessions}. */
export type ListSessionsErrorType = InvalidParameterError | GetLogsErrorType | ReadContractErrorType

/**
 * Lists an account's sessions from the chain alone, without an indexer: the module's
 * `SessionCreated` events for the account (node `eth_getLogs`), each session's state read
 * from the module, and its terms read back from the transaction that created it, so that
 * what is left of every limit can be shown. A session that may call any destination is
 * counted per destination: those its operations called are found from the EntryPoint's
 * `UserOperationEvent`s for the account (one more `eth_getLogs`, and the bundles' calldata).
 *
 * @param client A client on the account's chain.
 * @param parameters The account, and the block range to search.
 * @returns Every session created for the account by the module, oldest first, with its status and, where its terms could be read, its counters.
 * @example
 * import { listSessions } from 'session-keys'
 * const sessions = await listSessions(client, { account })
 * const live = sessions.filter((s) => s.status === 'active')
 */
export async function listSessions(
  client: Client,
  parameters: ListSessionsParameters,
): Promise<ListSessionsReturnType> {
  if (typeof parameters !== 'object' || parameters === null) {
    throw new InvalidParameterError({ field: 'parameters', value: parameters, reason: 'not an object' })
  }
  const account = parseAddress(parameters.account, 'account')
  const module = parseAddress(parameters.module ?? sessionKeyValidatorAddress, 'module')
  const blocks = { fromBlock: parameters.fromBlock ?? 0n, toBlock: parameters.toBlock ?? 'latest' } as const
  const [chainId, logs] = await Promise.all([
    getChainId(client),
    getLogs(client, {
      address: module,
      event: sessionCreatedEvent,
      args: { account },
      ...blocks,
    }),
  ])
  const transactions = new Map<Hex, Promise<SentCall | undefined>>()
  const transactionOf = (hash: Hex) => {
    if (!transactions.has(hash)) {
      transactions.set(
        hash,
        getTransaction(client, { hash }).then(
          (tx) => ({ to: tx.to ?? undefined, input: tx.input }),
          () => undefined,
        ),
      )
    }
    return transactions.get(hash) as Promise<SentCall | undefined>
  }
  // Destinations called by each session's operations, read only when a session needs them.
  let called: Promise<Map<Hex, Address[]>> | undefined
  const calledBy = async (id: Hex) => {
    called ??= destinationsCalled(client, account, blocks, transactionOf)
    return (await called).get(id.toLowerCase() as Hex) ?? []
  }
  return Promise.all(
    logs.map(async (log) => {
      const { sessionId, sessionKey, validAfter, validUntil } = log.args as {
        sessionId: Hex
        sessionKey: Address
        validAfter: number
        validUntil: number
      }
      const sent = await transactionOf(log.transactionHash)
      const config = sent ? findConfig(sent, account, module, sessionKey, sessionId) : undefined
      const created = config ? readBack(config, { account, chainId, module }) : undefined
      const [{ status }, usage] = await Promise.all([
        readSessionStatus(client, { module, account, id: sessionId }),
        created
          ? getSessionUsage(client, {
              session: created,
              targets: created.permissions.some((p) => p.anyDestination) ? await calledBy(sessionId) : [],
            })
          : undefined,
      ])
      const session = created && usage?.rotatedKey ? { ...created, rotatedKey: usage.rotatedKey } : created
      return {
        id: sessionId,
        sessionKey: getAddress(sessionKey),
        validAfter,
        validUntil,
        status,
        createdIn: { blockNumber: log.blockNumber, transactionHash: log.transactionHash },
        session,
        usage,
      }
    }),
  )
}

/** The EntryPoint's `UserOperationEvent` (every operation it included). */
const userOperationEvent = getAbiItem({ abi: entryPoint07Abi, name: 'UserOperationEvent' })

/**
 * The destinations each session's operations called (by lower-case session id), from the
 * bundles that carried the account's operations: their session-key signatures and `execute` calls.
 */
async function destinationsCalled(
  client: Client,
  account: Address,
  blocks: { fromBlock: BlockNumber; toBlock: BlockNumber | 'latest' },
  transactionOf: (hash: Hex) => Promise<SentCall | undefined>,
): Promise<Map<Hex, Address[]>> {
  const events = await getLogs(client, {
    address: entryPointAddress,
    event: userOperationEvent,
    args: { sender: account },
    ...blocks,
  })
  const bundles = [...new Set(events.map((e) => e.transactionHash))]
  const byId = new Map<Hex, Set<Address>>()
  for (const sent of await Promise.all(bundles.map(transactionOf))) {
    for (const op of sent ? accountOperationsIn(sent.input, account) : []) {
      const signed = readSessionSignature(op.signature)
      if (!signed) continue
      const id = signed.sessionId.toLowerCase() as Hex
      const targets = byId.get(id) ?? new Set<Address>()
      byId.set(id, targets)
      try {
        for (const call of decodeExecute(account, op.callData)) targets.add(getAddress(call.to))
      } catch {
        // not an execute encoding the SDK reads
      }
    }
  }
  return new Map([...byId].map(([id, targets]) => [id, [...targets]]))
}

/**
 * The configs an `installModule` gives the module: `abi.encode(configs)`, or in ZeroDev Kernel
 * v3's shape `hook ‖ abi.encode(validatorData, hookData, selectorData)` (what
 * `getGrantSessionCalls` sends there).
 */
function installedConfigs(data: Hex): readonly SessionConfigStruct[] {
  const configs = (encoded: Hex) =>
    decodeAbiParameters([{ ...configParameter, type: 'tuple[]' }], encoded)[0] as readonly SessionConfigStruct[]
  try {
    return configs(data)
  } catch {
    const [validatorData] = decodeAbiParameters(
      [{ type: 'bytes' }, { type: 'bytes' }, { type: 'bytes' }],
      sliceHex(data, 20),
    )
    return configs(validatorData)
  }
}

/** The session of a recovered config; undefined when it breaks the SDK's own checks (e.g. over 16 destinations). */
function readBack(config: SessionConfigStruct, where: { account: Address; chainId: number; module: Address }) {
  try {
    return fromSessionConfig(config, where)
  } catch {
    return undefined
  }
}

const configParameter = getAbiItem({ abi: validatorWritesAbi, name: 'createSession' }).inputs[0]

/** A transaction's destination and calldata. */
type SentCall = { to: Address | undefined; input: Hex }

/**
 * The `SessionConfig` with this key and id among those a transaction carries: a direct
 * `createSession` or `installModule` (an EIP-7702 account sends its own), or the user
 * operations of a `handleOps` for the account (their calls to `createSession` and
 * `installModule`, and an off-chain grant in their signature).
 */
function findConfig(
  sent: SentCall,
  account: Address,
  module: Address,
  sessionKey: Address,
  id: Hex,
): SessionConfigStruct | undefined {
  const candidates: SessionConfigStruct[] = []
  const fromCall = (to: Address | undefined, data: Hex | undefined) => {
    if (!to || !data || size(data) < 4) return
    try {
      if (getAddress(to) === module) {
        const call = decodeFunctionData({ abi: validatorWritesAbi, data })
        if (call.functionName === 'createSession') candidates.push(call.args[0] as SessionConfigStruct)
      } else if (getAddress(to) === account) {
        const call = decodeFunctionData({ abi: accountCallsAbi, data })
        if (call.functionName === 'installModule' && getAddress(call.args[1]) === module && size(call.args[2]) > 0) {
          candidates.push(...installedConfigs(call.args[2]))
        }
      }
    } catch {
      // another function, or not decodable: not a creation
    }
  }
  fromCall(sent.to, sent.input)
  for (const op of accountOperationsIn(sent.input, account)) {
    try {
      for (const call of decodeExecute(account, op.callData)) fromCall(call.to, call.data)
    } catch {
      // not this SDK's execute encoding
    }
    const grant = readSessionSignature(op.signature)?.grant
    if (grant) {
      try {
        const [config] = decodeAbiParameters(
          [configParameter, { type: 'uint128' }, { type: 'uint48' }, { type: 'bytes' }],
          grant,
        )
        candidates.push(config as SessionConfigStruct)
      } catch {
        // not a grant this SDK reads
      }
    }
  }
  return candidates.find(
    (c) =>
      getAddress(c.sessionKey) === getAddress(sessionKey) &&
      getSessionId(c.sessionKey, c.salt).toLowerCase() === id.toLowerCase(),
  )
}
