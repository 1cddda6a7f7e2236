import type { Client } from 'viem'
import { type DescribeSessionParameters, type DescribeSessionReturnType, describeSession } from '../session/describe.js'
import { type SignSessionGrantParameters, type SignSessionGrantReturnType, signSessionGrant } from '../session/grant.js'
import {
  type GetGrantSessionCallsParameters,
  type GetGrantSessionCallsReturnType,
  getGrantSessionCalls,
} from './getGrantSessionCalls.js'
import {
  type GetManageSessionCallsReturnType,
  type GetRevokeAllSessionsCallsParameters,
  type GetRevokeSessionCallsParameters,
  type GetRotateSessionKeyCallsParameters,
  type GetRotateSessionKeyCallsReturnType,
  type GetSetSessionEnabledCallsParameters,
  getRevokeAllSessionsCalls,
  getRevokeSessionCalls,
  getRotateSessionKeyCalls,
  getSetSessionEnabledCalls,
} from './getManageSessionCalls.js'
import {
  type GetReplaceSessionCallsParameters,
  type GetReplaceSessionCallsReturnType,
  getReplaceSessionCalls,
} from './getReplaceSessionCalls.js'
import {
  type GetRevokeSessionCleanupCallsReturnType,
  type GetSessionApprovalsParameters,
  type GetSessionApprovalsReturnType,
  getRevokeSessionCleanupCalls,
  getSessionApprovals,
} from './getSessionApprovals.js'
import {
  type GetSessionStatusParameters,
  type GetSessionStatusReturnType,
  type GetSpendingLimitsParameters,
  type GetSpendingLimitsReturnType,
  getSessionStatus,
  getSpendingLimits,
} from './getSessionStatus.js'
import { type ListSessionsParameters, type ListSessionsReturnType, listSessions } from './listSessions.js'
import {
  type GetSessionUsageParameters,
  type GetSessionUsageReturnType,
  type GetValidationTimeReturnType,
  getSessionUsage,
  getValidationTime,
  type PreflightParameters,
  type PreflightReturnType,
  preflight,
} from './preflight.js'
import {
  type ReadTokenMetadataParameters,
  type ReadTokenMetadataReturnType,
  readTokenMetadata,
} from './readTokenMetadata.js'

/** The session-key actions on a client: each is the function of the same name, bound to it. */
export type SessionKeyActions = {
  /** Wallet side: the calls that grant the session ({@link getGrantSessionCalls}), to send from the owner's account. */
  grantSession: (parameters: GetGrantSessionCallsParameters) => Promise<GetGrantSessionCallsReturnType>
  /** Wallet side: the owner's off-chain grant ({@link signSessionGrant}). */
  signSessionGrant: (parameters: SignSessionGrantParameters) => Promise<SignSessionGrantReturnType>
  /** Wallet side: the session in plain language ({@link describeSession}). */
  describeSession: (parameters: DescribeSessionParameters) => Promise<DescribeSessionReturnType>
  /** Wallet side: the call that revokes the session ({@link getRevokeSessionCalls}). */
  revokeSession: (parameters: GetRevokeSessionCallsParameters) => GetManageSessionCallsReturnType
  /** Wallet side: the call that moves a live session to a new key, counters kept ({@link getRotateSessionKeyCalls}). */
  rotateSessionKey: (parameters: GetRotateSessionKeyCallsParameters) => GetRotateSessionKeyCallsReturnType
  /** Wallet side: the calls that replace a session atomically ({@link getReplaceSessionCalls}). */
  replaceSession: (parameters: GetReplaceSessionCallsParameters) => Promise<GetReplaceSessionCallsReturnType>
  /** Wallet side: the call that revokes every session of the account ({@link getRevokeAllSessionsCalls}). */
  revokeAllSessions: (parameters?: GetRevokeAllSessionsCallsParameters) => GetManageSessionCallsReturnType
  /** Wallet side: the call that pauses or resumes the session ({@link getSetSessionEnabledCalls}). */
  setSessionEnabled: (parameters: GetSetSessionEnabledCallsParameters) => GetManageSessionCallsReturnType
  /** Where the session stands now ({@link getSessionStatus}). */
  getSessionStatus: (parameters: GetSessionStatusParameters) => Promise<GetSessionStatusReturnType>
  /** The allowances a session gave that still stand ({@link getSessionApprovals}). */
  getSessionApprovals: (parameters: GetSessionApprovalsParameters) => Promise<GetSessionApprovalsReturnType>
  /** Revoke a session and reset its standing allowances, in one owner operation ({@link getRevokeSessionCleanupCalls}). */
  revokeSessionAndApprovals: (
    parameters: GetSessionApprovalsParameters,
  ) => Promise<GetRevokeSessionCleanupCallsReturnType>
  /** An account's sessions, from chain alone ({@link listSessions}). */
  listSessions: (parameters: ListSessionsParameters) => Promise<ListSessionsReturnType>
  /** What the chain has counted for the session ({@link getSessionUsage}). */
  getSessionUsage: (parameters: GetSessionUsageParameters) => Promise<GetSessionUsageReturnType>
  /** How much of each token limit is spent ({@link getSpendingLimits}). */
  getSpendingLimits: (parameters: GetSpendingLimitsParameters) => Promise<GetSpendingLimitsReturnType>
  /** The pre-flight check of an operation ({@link preflight}). */
  preflight: (parameters: PreflightParameters) => Promise<PreflightReturnType>
  /** The time an operation sent now is validated at ({@link getValidationTime}). */
  getValidationTime: () => Promise<GetValidationTimeReturnType>
  /** Symbol, name and decimals of tokens ({@link readTokenMetadata}). */
  readTokenMetadata: (parameters: ReadTokenMetadataParameters) => Promise<ReadTokenMetadataReturnType>
}

/**
 * A viem decorator: `client.extend(sessionKeyActions())` adds the session-key actions to a
 * client, each the SDK function of the same purpose with this client as its first argument.
 * Functions that only build calls (`grantSession`, `revokeSession`, …) return the calls for the
 * owner's account to send; nothing is sent by the decorator itself.
 *
 * @returns A function that viem's `extend` calls with the client.
 * @example
 * import { createPublicClient, http } from 'viem'
 * import { sessionKeyActions } from 'session-keys'
 * const client = createPublicClient({ chain, transport: http() }).extend(sessionKeyActions())
 * const { status } = await client.getSessionStatus({ session })
 * await client.preflight({ session, calls })
 */
export function sessionKeyActions(): (client: Client) => SessionKeyActions {
  return (client) => ({
    grantSession: (parameters) => getGrantSessionCalls(client, parameters),
    listSessions: (parameters) => listSessions(client, parameters),
    getSessionApprovals: (parameters) => getSessionApprovals(client, parameters),
    revokeSessionAndApprovals: (parameters) => getRevokeSessionCleanupCalls(client, parameters),
    signSessionGrant: (parameters) => signSessionGrant(client, parameters),
    describeSession: (parameters) => describeSession(client, parameters),
    revokeSession: (parameters) => getRevokeSessionCalls(parameters),
    revokeAllSessions: (parameters) => getRevokeAllSessionsCalls(parameters),
    rotateSessionKey: (parameters) => getRotateSessionKeyCalls(parameters),
    replaceSession: (parameters) => getReplaceSessionCalls(client, parameters),
    setSessionEnabled: (parameters) => getSetSessionEnabledCalls(parameters),
    getSessionStatus: (parameters) => getSessionStatus(client, parameters),
    getSessionUsage: (parameters) => getSessionUsage(client, parameters),
    getSpendingLimits: (parameters) => getSpendingLimits(client, parameters),
    preflight: (parameters) => preflight(client, parameters),
    getValidationTime: () => getValidationTime(client),
    readTokenMetadata: (parameters) => readTokenMetadata(client, parameters),
  })
}
