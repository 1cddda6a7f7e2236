import {
  type Address,
  type BlockNumber,
  type Call,
  type Client,
  encodeFunctionData,
  erc20Abi,
  type GetLogsErrorType,
  getAddress,
  type Hex,
  parseEventLogs,
  type ReadContractErrorType,
} from 'viem'
import { entryPoint07Abi } from 'viem/account-abstraction'
import { getLogs, getTransaction, getTransactionReceipt, readContract } from 'viem/actions'
import { accountOperationsIn } from '../account/bundle.js'
import { readSessionSignature } from '../account/signature.js'
import { entryPointAddress } from '../constants/addresses.js'
import { APPROVE, INCREASE_ALLOWANCE } from '../constants/tokenFunctions.js'
import type { InvalidParameterError } from '../errors/parameter.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession } from '../session/encode.js'
import { getRevokeSessionCalls } from './getManageSessionCalls.js'

/** `approve` and `increaseAllowance`: the token functions that leave an allowance behind. */
const allowanceSelectors: string[] = [APPROVE, INCREASE_ALLOWANCE]

/** An allowance a session gave and that still stands. */
export type SessionApproval = {
  token: Address
  spender: Address
  /** What the spender may still move, read from the token now. */
  allowance: bigint
  /** The session operation's transaction that set it last. */
  transactionHash: Hex
}

/** Parameters of {@link getSessionApprovals} and {@link getRevokeSessionCleanupCalls}. */
export type GetSessionApprovalsParameters = {
  session: Session
  /** The first block to search (default: 0); give the session's creation block where a provider limits log ranges. */
  fromBlock?: BlockNumber | undefined
}
/** Return type of {@link getSessionApprovals}. */
export type GetSessionApprovalsReturnType = SessionApproval[]
/** Errors of {@link getSessionApprovals} and {@link getRevokeSessionCleanupCalls}. */
export type GetSessionApprovalsErrorType = InvalidParameterError | GetLogsErrorType | ReadContractErrorType

/**
 * The allowances a session's operations gave on its tokens and that still stand: an
 * approval outlives the session that made it, and the spender can use it after the session
 * ends. Found from chain alone: the tokens' `Approval` events for the account (every
 * contract's, when an any-destination permission may approve), each traced
 * to the user operation that emitted it (the EntryPoint's `UserOperationEvent` after it) and
 * to that operation's session (the key and salt in its signature). An allowance is listed
 * only when this session set it last and it is not zero now.
 *
 * @param client A client on the session's chain.
 * @param parameters The session, and the first block to search.
 * @returns Token, spender, the allowance left and the transaction that set it.
 * @example
 * import { getSessionApprovals } from 'session-keys'
 * const approvals = await getSessionApprovals(client, { session })
 */
export async function getSessionApprovals(
  client: Client,
  parameters: GetSessionApprovalsParameters,
): Promise<GetSessionApprovalsReturnType> {
  const session = assertSession(parameters?.session)
  const approving = session.permissions.filter((p) => p.selectors.some((s) => allowanceSelectors.includes(s)))
  // An any-destination permission may approve on any token: search every contract's events.
  const tokens: (Address | undefined)[] = approving.some((p) => p.anyDestination)
    ? [undefined]
    : approving.map((p) => p.target)
  const logs = (
    await Promise.all(
      tokens.map((token) =>
        getLogs(client, {
          ...(token ? { address: token } : {}),
          event: approvalEvent,
          args: { owner: session.account },
          fromBlock: parameters.fromBlock ?? 0n,
          toBlock: 'latest',
        }),
      ),
    )
  )
    .flat()
    // ERC-20's Approval only: ERC-721's has the same signature and a third indexed topic.
    .filter((log) => log.topics.length === 3)
    .sort((a, b) => Number(a.blockNumber - b.blockNumber) || (a.logIndex ?? 0) - (b.logIndex ?? 0))
  // Who set each (token, spender) allowance last: this session, or anything else.
  const last = new Map<string, { token: Address; spender: Address; ours: boolean; transactionHash: Hex }>()
  const sessionOf = sessionsByTransaction(client, session.account)
  for (const log of logs) {
    const ids = await sessionOf(log.transactionHash)
    const spender = getAddress(log.args.spender as Address)
    const token = getAddress(log.address)
    last.set(`${token}:${spender}`, {
      token,
      spender,
      ours: ids.get(log.logIndex ?? -1) === session.id.toLowerCase(),
      transactionHash: log.transactionHash,
    })
  }
  const ours = [...last.values()].filter((entry) => entry.ours)
  const allowances = await Promise.all(
    ours.map(({ token, spender }) =>
      readContract(client, {
        address: token,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [session.account, spender],
      }),
    ),
  )
  return ours
    .map(({ token, spender, transactionHash }, i) => ({ token, spender, allowance: allowances[i], transactionHash }))
    .filter((approval) => approval.allowance > 0n)
}

/** Return type of {@link getRevokeSessionCleanupCalls}. */
export type GetRevokeSessionCleanupCallsReturnType = {
  /** Revoke the session, then set each of its standing allowances to zero: one owner operation. */
  calls: Call[]
  approvals: SessionApproval[]
}

/**
 * The owner's calls that revoke a session and clean up after it in the same operation: every
 * allowance the session gave that still stands ({@link getSessionApprovals}) goes back to zero.
 * Allowances set since by anything else (the owner, another session) are left as they are.
 *
 * @param client A client on the session's chain.
 * @param parameters The session, and the first block to search.
 * @returns The calls, and the allowances they reset.
 * @example
 * import { getRevokeSessionCleanupCalls } from 'session-keys'
 * const { calls } = await getRevokeSessionCleanupCalls(client, { session })
 * await bundlerClient.sendUserOperation({ account: ownerAccount, calls })
 */
export async function getRevokeSessionCleanupCalls(
  client: Client,
  parameters: GetSessionApprovalsParameters,
): Promise<GetRevokeSessionCleanupCallsReturnType> {
  const approvals = await getSessionApprovals(client, parameters)
  const resets = approvals.map(({ token, spender }) => ({
    to: token,
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, 0n] }),
  }))
  return { calls: [...getRevokeSessionCalls({ session: parameters.session }), ...resets], approvals }
}

const approvalEvent = erc20Abi.find((item) => item.type === 'event' && item.name === 'Approval') as Extract<
  (typeof erc20Abi)[number],
  { type: 'event'; name: 'Approval' }
>

/**
 * For a transaction: which session (id, lower case) emitted each log, by log index. A log
 * belongs to the user operation whose `UserOperationEvent` comes next for the account; that
 * operation's signature names the session key and salt.
 */
function sessionsByTransaction(client: Client, account: Address) {
  const cache = new Map<Hex, Promise<Map<number, string>>>()
  return (hash: Hex): Promise<Map<number, string>> => {
    if (!cache.has(hash)) cache.set(hash, read(hash))
    return cache.get(hash) as Promise<Map<number, string>>
  }
  async function read(hash: Hex): Promise<Map<number, string>> {
    const byLog = new Map<number, string>()
    const [receipt, transaction] = await Promise.all([
      getTransactionReceipt(client, { hash }),
      getTransaction(client, { hash }),
    ])
    const ops = accountOperationsIn(transaction.input, account)
    if (ops.length === 0) return byLog // no operation of the account: no session acted here
    const events = parseEventLogs({
      abi: entryPoint07Abi,
      eventName: 'UserOperationEvent',
      logs: receipt.logs.filter((l) => getAddress(l.address) === entryPointAddress),
    }).filter((e) => getAddress(e.args.sender) === account)
    for (const log of receipt.logs) {
      const event = events.find((e) => (e.logIndex ?? 0) > (log.logIndex ?? 0))
      const op = event && ops.find((o) => o.nonce === event.args.nonce)
      const id = op ? readSessionSignature(op.signature)?.sessionId : undefined
      if (id) byLog.set(log.logIndex ?? -1, id.toLowerCase())
    }
    return byLog
  }
}
