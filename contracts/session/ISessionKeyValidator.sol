// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC7579Validator} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {SessionConfig} from "./DataTypes.sol";

/// @title ISessionKeyValidator
/// @notice An ERC-7579 validator that lets temporary session keys sign user operations
/// whose every call complies with the session's permissions, within its time window.
interface ISessionKeyValidator is IERC7579Validator {
    // ───────────────────────────── errors: granting ─────────────────────────────

    /// @notice A session with this id was created (or revoked) for this account before: ids
    /// are never reused, so old counters can never come back. Use a new salt.
    error SessionAlreadyExists(bytes32 sessionId);
    /// @notice No session with this id exists for the calling account.
    error SessionNotFound(bytes32 sessionId);
    /// @notice The session key is the zero address.
    error SessionKeyInvalid();
    /// @notice The window is empty: `validUntil` must be > `validAfter`.
    error SessionWindowInvalid(uint48 validAfter, uint48 validUntil);
    /// @notice A session needs at least one permission.
    error SessionNoPermissions();
    /// @notice A permission names a destination the session may never call.
    error SessionTargetForbidden(address target);
    /// @notice Two permissions name the same destination; merge them into one.
    error SessionDuplicateTarget(address target);
    /// @notice A permission lists no selector and does not allow empty calldata.
    error SessionNoSelectors(address target);
    /// @notice A limit above the width of its counter that is not the "no limit" value.
    error SessionLimitTooLarge(address target, uint256 limit);
    /// @notice An argument rule is malformed: `reason` 1 = its selector is not permitted,
    /// 2 = too many rules on the selector, 3 = unknown condition, 4 = wrong number of values,
    /// 5 = width not in 8..256 by 8, 6 = a value wider than the width.
    error SessionRuleInvalid(address target, bytes4 selector, uint256 reason);
    /// @notice The paymaster is the zero address or listed twice.
    error SessionPaymasterInvalid(address paymaster);
    /// @notice A token-limited destination lists `selector`, whose token effect the module
    /// cannot count (e.g. ERC-677 `transferAndCall`, ERC-777 `send`): the limit would not
    /// bound what the session moves. Grant that method in a session without a token limit.
    error SessionTokenLimitUncountable(address target, bytes4 selector);
    /// @notice A permission's recurring limits are malformed: `reason` 1 = a field is set
    /// without a period, 2 = the start is 0, 3 = no recurring limit is finite.
    error SessionRecurrenceInvalid(address target, uint256 reason);

    /// @notice An any-destination permission is malformed: `reason` 1 = its target is not 0 or
    /// it asks for delegatecall, try-mode or empty calldata, 2 = it allows native value, 3 = it
    /// has recurring limits, 4 = `selector` has no argument rule (every method needs one).
    error SessionAnyTargetInvalid(uint256 reason, bytes4 selector);

    // ───────────────────────────── errors: validating ─────────────────────────────

    /// @notice An off-chain grant does not match the operation's session, or the account
    /// does not confirm the owner's signature over it.
    error SessionGrantInvalid(bytes32 sessionId);
    /// @notice The off-chain grant was signed for another revocation epoch than the account's
    /// current one: the owner revoked all sessions (or reinstalled the module) since, or the
    /// grant was signed for a state that never existed.
    error SessionGrantEpochInvalid(bytes32 sessionId, uint128 grantEpoch, uint128 currentEpoch);
    /// @notice The session was revoked (by id, by revoke-all, or by uninstalling the module).
    error SessionRevoked(bytes32 sessionId);
    /// @notice The session exists but is disabled; the owner can enable it.
    error SessionDisabled(bytes32 sessionId);
    /// @notice The user operation's calldata is not `execute(bytes32,bytes)` in canonical ABI form.
    error SessionCalldataMalformed();
    /// @notice Only single, batch and delegatecall call types, in default or try exec type,
    /// with every other mode byte zero.
    error SessionExecutionModeNotAllowed(bytes32 mode);
    /// @notice Call `index` runs in try-mode or as a delegatecall, which its permission does not allow.
    error SessionCallTypeNotAllowed(uint256 index, address target);
    /// @notice Call `index` goes to a destination the session does not permit.
    error SessionTargetNotAllowed(uint256 index, address target);
    /// @notice Call `index` uses a function the session does not permit on that destination.
    error SessionSelectorNotAllowed(uint256 index, address target, bytes4 selector);
    /// @notice Call `index` breaks argument rule `rule` of its selector.
    error SessionRuleViolated(uint256 index, address target, bytes4 selector, uint256 rule);
    /// @notice Call `index` sends native value, which its permission does not allow.
    error SessionValueNotAllowed(uint256 index, uint256 value);
    /// @notice Call `index` sends more native value than the per-call limit.
    error SessionValuePerCallExceeded(uint256 index, address target, uint256 value, uint256 limit);
    /// @notice Call `index` would bring the native value sent to `target` over its total limit.
    error SessionValueLimitExceeded(uint256 index, address target, uint256 spent, uint256 value, uint256 limit);
    /// @notice Call `index` would exceed the number of calls allowed to `target`.
    error SessionUsesExceeded(uint256 index, address target, uint256 maxUses);
    /// @notice Call `index` has calldata that does not match its function's exact ABI shape.
    error SessionCallDataInvalid(uint256 index, address target);
    /// @notice Call `index` would bring the token amount spent to more than the limit.
    error SessionLimitExceeded(uint256 index, address target, uint256 spent, uint256 amount, uint256 limit);
    /// @notice Call `index` goes to a destination with recurring limits, and the operation's
    /// signature claims no time, or a time before the limits' start.
    error SessionTimeClaimInvalid(uint256 index, address target, uint256 claimed);
    /// @notice Call `index` claims `period` of `target`'s recurring limits, before the period
    /// `current` already charged: a period is never charged again once a later one was.
    error SessionPeriodStale(uint256 index, address target, uint256 period, uint256 current);
    /// @notice Call `index` would exceed a recurring limit of `target` in `period`: `kind` 0 =
    /// token amount, 1 = native value, 2 = calls (`amount` 1). `spent` is what the period has
    /// counted so far.
    error SessionPeriodLimitExceeded(
        uint256 index,
        address target,
        uint256 kind,
        uint256 period,
        uint256 spent,
        uint256 amount,
        uint256 limit
    );
    /// @notice The user operation names a paymaster the session does not list.
    error SessionPaymasterNotAllowed(address paymaster);
    /// @notice The operation's maximum cost (every gas limit times the max fee) is more than
    /// the `left` wei of the session's gas budget.
    error SessionGasBudgetExceeded(uint256 left, uint256 cost);
    /// @notice The renouncement is not signed by the session's key for this account.
    error SessionRenouncementInvalid(bytes32 sessionId);
    /// @notice The session's counters are no longer those the owner saw (`expected`): its key
    /// used it since. Nothing was revoked or created; look again and decide.
    error SessionUsageChanged(bytes32 sessionId, bytes32 expected, bytes32 actual);

    // ───────────────────────────── events ─────────────────────────────

    /// @notice A session was created for `account`.
    event SessionCreated(
        address indexed account,
        bytes32 indexed sessionId,
        address sessionKey,
        uint48 validAfter,
        uint48 validUntil,
        bool enabled
    );
    /// @notice A session was enabled or disabled.
    event SessionEnabledSet(address indexed account, bytes32 indexed sessionId, bool enabled);
    /// @notice A session was revoked; it can never be used or created again.
    event SessionRevokedBy(address indexed account, bytes32 indexed sessionId);
    /// @notice The owner moved a live session to a new key; its counters stay (see `rotateSessionKey`).
    event SessionKeyRotated(address indexed account, bytes32 indexed sessionId, address newKey);
    /// @notice The session's own key ended the session (see `renounceSession`).
    event SessionRenounced(address indexed account, bytes32 indexed sessionId);
    /// @notice Every session of `account` created before was revoked.
    /// `newEpoch` is `revocationCount << 96 | random`: its low 96 bits come from the block it
    /// runs in, so no grant can be signed ahead of time for the state after a revocation.
    event AllSessionsRevoked(address indexed account, uint128 newEpoch);

    // ─────────────────────────── management ───────────────────────────

    /// @notice Creates a session for the calling account.
    /// @return sessionId `keccak256(abi.encode(config.sessionKey, config.salt))`.
    function createSession(SessionConfig calldata config) external returns (bytes32 sessionId);

    /// @notice Enables or disables a session of the calling account.
    function setSessionEnabled(bytes32 sessionId, bool enabled) external;

    /// @notice Revokes a session of the calling account, at once and for ever. A session
    /// that was never created can be revoked too, so that its off-chain grant can never be used.
    function revokeSession(bytes32 sessionId) external;

    /// @notice Revokes every session of the calling account, at once and for ever.
    function revokeAllSessions() external;

    /// @notice Moves a live session of the calling account to `newKey`, keeping its id, terms
    /// and every counter: what the old key spent stays spent. From then on only `newKey`'s
    /// signatures count (the operation's signature still names the key the session was
    /// created with, which with the salt is its id); the old key's are refused, its
    /// renouncement too. A later rotation replaces the key again.
    function rotateSessionKey(bytes32 sessionId, address newKey) external;

    /// @notice Revokes a session of the calling account only if its counters are still those
    /// the owner saw: `usage` is `getSessionUsageHash(account, sessionId, targets)` read then.
    /// In one batch with `createSession`, it replaces a session atomically: if the old key
    /// spent in between, the whole batch reverts with `SessionUsageChanged`.
    /// @param targets The session's destinations (every one, for the hash to cover every counter).
    function revokeSessionIfUnchanged(bytes32 sessionId, address[] calldata targets, bytes32 usage) external;

    /// @notice The session key ends its own session on `account`, at once and for ever (a
    /// session not created yet can never be created from its grant). Anyone may submit it: only
    /// the key's EIP-712 signature of `SessionRenouncement(account, sessionId)` counts, for this
    /// module on this chain. It changes nothing else, and never revives anything.
    /// @param signature The session key's signature (65 bytes) of the renouncement's digest.
    function renounceSession(address account, address sessionKey, bytes32 salt, bytes calldata signature) external;

    /// @notice The EIP-712 digest a session key signs to renounce its session on `account`.
    function getRenouncementDigest(address account, bytes32 sessionId) external view returns (bytes32);
}
