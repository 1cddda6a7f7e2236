// session-keys: session keys for ERC-4337 smart accounts (ERC-7579 validator + viem SDK).
// The one entry of the SDK; the embedded chain lives apart in `session-keys/devnet`.

export { decodeExecute, encodeExecute, modeBatch, modeSingle } from './account/execution.js'
export { getValidatorNonceKey, type NonceKeyConvention } from './account/nonceKey.js'
export { type ToOwnerAccountParameters, toOwnerAccount } from './account/toOwnerAccount.js'
export {
  defaultSigningLimits,
  SessionKeyCannotSignMessagesError,
  type SigningLimits,
  type ToSessionKeyAccountParameters,
  toSessionKeyAccount,
} from './account/toSessionKeyAccount.js'
export {
  type GetGrantSessionCallsErrorType,
  type GetGrantSessionCallsParameters,
  type GetGrantSessionCallsReturnType,
  getGrantSessionCalls,
} from './actions/getGrantSessionCalls.js'
export {
  type GetManageSessionCallsErrorType,
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
} from './actions/getManageSessionCalls.js'
export {
  type GetReplaceSessionCallsErrorType,
  type GetReplaceSessionCallsParameters,
  type GetReplaceSessionCallsReturnType,
  getReplaceSessionCalls,
} from './actions/getReplaceSessionCalls.js'
export {
  type GetRevokeSessionCleanupCallsReturnType,
  type GetSessionApprovalsErrorType,
  type GetSessionApprovalsParameters,
  type GetSessionApprovalsReturnType,
  getRevokeSessionCleanupCalls,
  getSessionApprovals,
  type SessionApproval,
} from './actions/getSessionApprovals.js'
export {
  type GetSessionStatusErrorType,
  type GetSessionStatusParameters,
  type GetSessionStatusReturnType,
  type GetSpendingLimitsErrorType,
  type GetSpendingLimitsParameters,
  type GetSpendingLimitsReturnType,
  getSessionStatus,
  getSpendingLimits,
  type SessionStatus,
  type SpendingLimit,
} from './actions/getSessionStatus.js'
export {
  type ListedSession,
  type ListSessionsErrorType,
  type ListSessionsParameters,
  type ListSessionsReturnType,
  listSessions,
} from './actions/listSessions.js'
export {
  type GetSessionUsageErrorType,
  type GetSessionUsageParameters,
  type GetSessionUsageReturnType,
  type GetValidationTimeErrorType,
  type GetValidationTimeReturnType,
  getSessionUsage,
  getValidationTime,
  type PreflightErrorType,
  type PreflightParameters,
  type PreflightReturnType,
  preflight,
} from './actions/preflight.js'
export {
  type ReadTokenMetadataErrorType,
  type ReadTokenMetadataParameters,
  type ReadTokenMetadataReturnType,
  readTokenMetadata,
  type TokenMetadata,
} from './actions/readTokenMetadata.js'
export {
  type GetRenounceSessionCallsParameters,
  getRenounceSessionCalls,
  getSessionRenouncementTypedData,
  type SignSessionRenouncementParameters,
  signSessionRenouncement,
} from './actions/renounceSession.js'
export { type SessionKeyActions, sessionKeyActions } from './actions/sessionKeyActions.js'
export {
  create2DeployerAddress,
  entryPointAddress,
  sessionAccountFactoryAddress,
  sessionKeyValidatorAddress,
  sessionStoreLibAddress,
} from './constants/addresses.js'
export { BaseError, type BaseErrorParameters } from './errors/base.js'
export { InvalidParameterError, type InvalidParameterErrorParameters } from './errors/parameter.js'
export {
  CallNotPermittedError,
  type CallRule,
  ContractNotDeployedError,
  EndpointUnreachableError,
  formatAmount,
  InvalidSessionSignatureError,
  PeriodLimitExceededError,
  type PeriodLimitKind,
  SessionDisabledError,
  SessionExpiredError,
  SessionGrantEpochInvalidError,
  SessionGrantExpiredError,
  SessionGrantInvalidError,
  SessionNotFoundError,
  SessionNotYetValidError,
  type SessionRefusalErrorType,
  SessionRevokedError,
  SpendingLimitExceededError,
  UnsafeUserOperationGasError,
  UntrustedModuleError,
  UserOperationFailedError,
  UserOperationRejectedError,
} from './errors/session.js'
export { sessionKeyValidatorAbi } from './generated/abis.js'
export { accountCallsAbi } from './generated/accountCallsAbi.js'
export {
  type CheckSessionOperationReturnType,
  checkSessionOperation,
  maxCostOf,
  type OperationToCheck,
  type PeriodUsage,
  periodAt,
  periodBounds,
  type SessionUsage,
  type TargetUsage,
  type TokenInfo,
  type UserOperationGas,
} from './policy/checkSessionOperation.js'
export type {
  AmountInput,
  ArgRule,
  ArgRuleInput,
  Permission,
  PermissionInput,
  Recurrence,
  RecurrenceInput,
  RuleCondition,
  SeedPermission,
  Session,
  SessionValidity,
  Timestamp,
  ValueLimit,
} from './policy/dataTypes.js'
export {
  type DefineSessionParameters,
  defineSession,
  getSessionId,
  getSigningKey,
  maxPermissionsPerSession,
} from './session/defineSession.js'
export {
  type DescribeSessionErrorType,
  type DescribeSessionParameters,
  type DescribeSessionReturnType,
  describeSession,
  describeWindow,
  type SessionDescription,
} from './session/describe.js'
export {
  assertSession,
  fromSessionConfig,
  maxPaymastersPerSession,
  type SessionConfigStruct,
  toSessionConfig,
} from './session/encode.js'
export {
  type Erc7715Permission,
  type Erc7715Policy,
  type Erc7715Request,
  type ExecutionPermissionRequest,
  type ExecutionPermissionResponse,
  fromErc7715Request,
  fromExecutionPermissionRequests,
  toErc7715Request,
} from './session/erc7715.js'
export {
  type ExposureBound,
  type GetSessionExposureParameters,
  getSessionExposure,
  type SessionExposure,
} from './session/exposure.js'
export { generateSessionKey, type SessionKey } from './session/generateSessionKey.js'
export {
  assertGrant,
  assertOwnerSignedGrant,
  checkGrant,
  defaultGrantLifetime,
  encodeGrant,
  type GetSessionGrantTypedDataParameters,
  getGrantDigest,
  getSessionGrantTypedData,
  type SessionGrant,
  type SessionGrantAccountSigner,
  type SignSessionGrantErrorType,
  type SignSessionGrantParameters,
  type SignSessionGrantReturnType,
  sessionAccountVerifierDomain,
  sessionGrantTypes,
  signSessionGrant,
  verifySessionGrant,
} from './session/grant.js'
export {
  maxSelectorsPerPermission,
  type PermissionFromAbiParameters,
  parseSelector,
  permissionFromAbi,
  toPermission,
} from './session/permissions.js'
export { maxOneOfValues, maxRulesPerSelector, ruleConditions, toArgRule } from './session/rules.js'
export { deserializeSession, type StoredSession, serializeSession } from './session/serialize.js'
export { assertTrustedModule, type ModuleTrustOptions } from './session/trust.js'
export { type CreateBundlerSubmitterParameters, createBundlerSubmitter } from './submitter/bundlerSubmitter.js'
export {
  type EntryPointRejection,
  findEntryPointRejection,
  fromEntryPointRejection,
} from './submitter/fromEntryPoint.js'
export { toSessionError } from './submitter/toSessionError.js'
export type { SendCallsParameters, UserOperationOutcome, UserOperationSubmitter } from './submitter/types.js'
export { defaultGasBudget, maxGasBudget, maxTokenLimit } from './utils/parse.js'
