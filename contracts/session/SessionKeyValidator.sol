// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ISessionKeyValidator} from "./ISessionKeyValidator.sol";
import {
    ArgRule,
    Permission,
    Recurrence,
    SelectorPolicy,
    SessionConfig,
    SessionState,
    SessionStore,
    StoredRule,
    TargetPolicy
} from "./DataTypes.sol";
import {ArgRuleLib} from "./lib/ArgRuleLib.sol";
import {ExecutionLib} from "./lib/ExecutionLib.sol";
import {PolicyFlags} from "./lib/PolicyFlags.sol";
import {SessionStoreLib} from "./lib/SessionStoreLib.sol";
import {TokenCallLib} from "./lib/TokenCallLib.sol";

/// @title SessionKeyValidator
/// @notice ERC-7579 validator module: a session key signs user operations for an account,
/// and the operation is valid only if every call it will execute complies with the
/// session's permissions, inside the session's time window.
/// @dev Validation path (top to bottom): read the signature → load the session → check it
/// is live → paymaster and gas budget → decode the execution exactly as the account will →
/// check each call (destination, call type, value, uses, selector, token amount, argument
/// rules) → verify the session key's ECDSA signature → pack the window into `validationData`.
/// ERC-7562: no TIMESTAMP, NUMBER, GASPRICE or other banned opcode in validation (the
/// window goes through `validationData`), and every slot touched in validation is associated
/// with the account: the account is the innermost mapping key, and records span at most 41
/// consecutive slots from there. Sessions are written by SessionStoreLib, reached by
/// DELEGATECALL on this module's storage (also inside validation, for an off-chain grant's
/// first use): this contract keeps the validation path.
contract SessionKeyValidator is ISessionKeyValidator, EIP712 {
    using ExecutionLib for bytes;
    using ArgRuleLib for SelectorPolicy;

    // ───────────────────────────── constants ─────────────────────────────

    uint256 private constant _MODULE_TYPE_VALIDATOR = 1;
    uint256 private constant _SIG_VALIDATION_FAILED = 1;
    bytes4 private constant _ERC1271_INVALID = 0xffffffff;
    uint256 private constant _NO_LIMIT = type(uint256).max;
    /// @dev Call-context bit: the session has recurring limits (see `_checkCall`).
    uint256 private constant _RECURRING = 1 << 80;
    /// @dev Call-context bit: the session has an any-destination permission (see `_checkCall`).
    uint256 private constant _ANY_TARGET = 1 << 81;
    /// @dev Call-context bit: this call goes through the any-destination permission.
    uint256 private constant _VIA_ANY = 1 << 82;
    /// @dev A session without a gas budget counts its operations where the gas left would be
    /// (bits 152-255 of its first word): every operation then moves the session's state, which
    /// `getSessionUsageHash` covers, so an atomic replace sees even an operation that moved
    /// only a sum or an unlisted destination's counter.
    uint256 private constant _ONE_OPERATION = 1 << 152;


    /// @dev Signature, "use" form: 0x00 | sessionKey (20) | salt (32) | r (32) | s (32) | v (1).
    uint8 private constant _SIG_USE = 0x00;
    uint256 private constant _SIG_USE_LENGTH = 118;
    /// @dev Signature, "enable" form: the "use" form with 0x01 first, followed by the owner's
    /// off-chain grant, `abi.encode(SessionConfig config, uint128 epoch, uint48 enableBefore,
    /// bytes ownerSignature)`. The session key then signs `keccak(userOpHash ‖ keccak(sessionId ‖
    /// grantDigest))`: whoever submits the operation cannot swap in another grant.
    uint8 private constant _SIG_ENABLE = 0x01;
    /// @dev Form bit: the signature claims a time, `uint48` right after `v` (before any grant),
    /// signed by the session key as `keccak(signedFor ‖ time)`. Required by a session with
    /// recurring limits: the module charges the period the time falls in and narrows the
    /// operation's window to it, so the EntryPoint refuses the operation at any other time.
    uint8 private constant _SIG_TIME = 0x02;
    uint256 private constant _TIME_LENGTH = 6;
    bytes32 private constant _RENOUNCEMENT_TYPEHASH = keccak256("SessionRenouncement(address account,bytes32 sessionId)");

    constructor() EIP712("SessionKeyValidator", "1") {}

    // ───────────────────────────── storage ─────────────────────────────

    /// @dev Every record, in one struct at slot 0 that SessionStoreLib shares (see SessionStore).
    SessionStore private _state;

    // ───────────────────────── install / uninstall ─────────────────────────

    /// @notice Called by the account when it installs the module.
    /// @param data Empty, or `abi.encode(SessionConfig[])`: sessions to create at once, so
    /// that installing and granting the first session is a single call.
    function onInstall(bytes calldata data) external {
        if (data.length != 0) SessionStoreLib.createSessions(_state, data);
    }

    /// @notice Called by the account when it uninstalls the module: every session of the
    /// account is revoked, so that none comes back if the module is installed again.
    function onUninstall(bytes calldata) external {
        _revokeAll(msg.sender);
    }

    // ───────────────────────────── management ─────────────────────────────

    /// @inheritdoc ISessionKeyValidator
    /// @dev SessionStoreLib decodes the terms from this call's own arguments, `msg.data[4:]`
    /// (`abi.encode(config)`): the module holds no decoder for them.
    function createSession(SessionConfig calldata config) external returns (bytes32) {
        config;
        return SessionStoreLib.createSession(_state, msg.data[4:]);
    }

    /// @inheritdoc ISessionKeyValidator
    function setSessionEnabled(bytes32 sessionId, bool enabled) external {
        _liveSession(sessionId).enabled = enabled;
        emit SessionEnabledSet(msg.sender, sessionId, enabled);
    }

    /// @inheritdoc ISessionKeyValidator
    function revokeSession(bytes32 sessionId) external {
        _revoke(sessionId);
    }

    /// @inheritdoc ISessionKeyValidator
    function rotateSessionKey(bytes32 sessionId, address newKey) external {
        SessionState storage session = _liveSession(sessionId);
        if (newKey == address(0)) revert SessionKeyInvalid();
        session.key = newKey;
        session.flags |= PolicyFlags.SESSION_KEY_ROTATED;
        emit SessionKeyRotated(msg.sender, sessionId, newKey);
    }

    /// @inheritdoc ISessionKeyValidator
    function revokeSessionIfUnchanged(bytes32 sessionId, address[] calldata targets, bytes32 usage) external {
        bytes32 actual = SessionStoreLib.usageHash(_state, msg.sender, sessionId, targets);
        if (actual != usage) revert SessionUsageChanged(sessionId, usage, actual);
        _revoke(sessionId);
    }

    /// @inheritdoc ISessionKeyValidator
    function revokeAllSessions() external {
        _revokeAll(msg.sender);
    }

    /// @inheritdoc ISessionKeyValidator
    /// @dev Execution only, never validation; storage is still the account's own record.
    function renounceSession(address account, address sessionKey, bytes32 salt, bytes calldata signature) external {
        bytes32 sessionId = SessionStoreLib.hashPair(bytes32(uint256(uint160(sessionKey))), salt);
        SessionState storage session = _state.sessions[sessionId][account];
        // A rotated session is renounced by its current key, never by the one it was created with.
        if (session.flags & PolicyFlags.SESSION_KEY_ROTATED != 0) sessionKey = session.key;
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(
            getRenouncementDigest(account, sessionId),
            signature
        );
        if (err != ECDSA.RecoverError.NoError || signer != sessionKey) revert SessionRenouncementInvalid(sessionId);
        if (session.status == SessionStoreLib.STATUS_REVOKED) revert SessionRevoked(sessionId);
        session.status = SessionStoreLib.STATUS_REVOKED;
        session.enabled = false;
        emit SessionRenounced(account, sessionId);
    }

    /// @inheritdoc ISessionKeyValidator
    function getRenouncementDigest(address account, bytes32 sessionId) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_RENOUNCEMENT_TYPEHASH, account, sessionId)));
    }

    // ───────────────────────────── validation ─────────────────────────────

    /// @notice Validates a user operation signed by a session key.
    /// @dev Returns `SIG_VALIDATION_FAILED` (1) when the signature is not the session key's
    /// or names no session, after running every other check so that a bundler's estimate
    /// with a stub signature follows the same path. Reverts with a custom error when the
    /// operation breaks the session's rules. Amounts, value, uses and gas are counted here,
    /// before execution: a call that later reverts still counts (the safe side).
    /// @return validationData `0`/`1` in the low 160 bits, validUntil and validAfter above.
    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash) external returns (uint256) {
        (bool wellFormed, address sessionKey, bytes32 sessionId, bytes32 signedFor, uint256 times) = _openSignature(
            userOp.signature
        );
        if (!wellFormed) return _SIG_VALIDATION_FAILED;
        // A wrong signature is reported after every other check has run, so that a bundler's
        // estimate with a stub signature follows the same path as the real operation.
        (uint256 state, uint256 window) = _checkOperation(sessionId, userOp, times >> 48);
        bool signed = _isSessionSigned(
            sessionId,
            state,
            sessionKey,
            SessionStoreLib.hashPair(userOpHash, signedFor),
            userOp.signature
        );
        uint256 validAfter = uint48(state);
        uint256 validUntil = uint48(state >> 48);
        // A session created from a grant in this validation: the grant's deadline applies too.
        uint256 enableBefore = uint48(times);
        if (enableBefore != 0 && enableBefore < validUntil) validUntil = enableBefore;
        // Recurring limits were charged to the periods of the claimed time: only inside them.
        if (window != 0) {
            if (window >> 48 > validAfter) validAfter = window >> 48;
            if (uint48(window) < validUntil) validUntil = uint48(window);
        }
        return _packValidationData(!signed, uint48(validUntil), uint48(validAfter));
    }

    /// @notice The EIP-712 digest the owner signs to grant `config` off-chain to `account`.
    /// @param epoch The account's revocation epoch when signing: revoke-all voids the grant.
    /// @param enableBefore The grant's deadline: the session can be created from it only by an
    /// operation the EntryPoint validates at or before this time.
    function getGrantDigest(
        address account,
        uint128 epoch,
        uint48 enableBefore,
        SessionConfig calldata config
    ) external view returns (bytes32) {
        (account, epoch, enableBefore, config); // decoded by SessionStoreLib from `msg.data[4:]`
        return SessionStoreLib.grantDigest(_domainSeparatorV4(), msg.data[4:]);
    }

    /// @notice Session keys never sign ERC-1271 messages for the account: a Permit, Permit2
    /// or order signature would escape the session's call rules.
    /// @return Always `0xffffffff`.
    function isValidSignatureWithSender(address, bytes32, bytes calldata) external pure returns (bytes4) {
        return _ERC1271_INVALID;
    }

    // ───────────────────────────── views ─────────────────────────────

    /// @notice The id of the session of `sessionKey` created with `salt`.
    function getSessionId(address sessionKey, bytes32 salt) external pure returns (bytes32) {
        return keccak256(abi.encode(sessionKey, salt));
    }

    /// @notice A session's stored state for `account`.
    /// @return validAfter Start of the window (seconds).
    /// @return validUntil End of the window (seconds).
    /// @return enabled Whether the owner enabled it.
    /// @return exists Whether it was ever created.
    /// @return revoked Whether it was revoked (by id, revoke-all, or uninstall).
    function getSession(
        address account,
        bytes32 sessionId
    ) external view returns (uint48 validAfter, uint48 validUntil, bool enabled, bool exists, bool revoked) {
        SessionState storage session = _state.sessions[sessionId][account];
        exists = session.status == SessionStoreLib.STATUS_ACTIVE || (session.status == SessionStoreLib.STATUS_REVOKED && session.validUntil != 0);
        revoked = session.status == SessionStoreLib.STATUS_REVOKED || (exists && session.epoch != SessionStoreLib.revocationCount(_state, account));
        return (session.validAfter, session.validUntil, session.enabled, exists, revoked);
    }

    /// @notice The key that signs for a session now.
    /// @return rotated Whether the owner rotated the session's key.
    /// @return key The key it was rotated to (0 when not rotated: the key it was created with).
    function getSessionKey(address account, bytes32 sessionId) external view returns (bool rotated, address key) {
        SessionState storage session = _state.sessions[sessionId][account];
        rotated = session.flags & PolicyFlags.SESSION_KEY_ROTATED != 0;
        key = session.key;
    }

    /// @notice A digest of every counter of a session on `account`: its state and gas budget
    /// left, its key, and each of `targets`' records (limits, spent amounts, uses, periods). A
    /// wallet reads it when it shows the session, and `revokeSessionIfUnchanged` compares it.
    function getSessionUsageHash(
        address account,
        bytes32 sessionId,
        address[] calldata targets
    ) external view returns (bytes32) {
        return SessionStoreLib.usageHash(_state, account, sessionId, targets);
    }

    /// @notice What is left of a session's gas budget (wei, at each operation's signed limits
    /// and max fee): the budget the owner granted minus every operation's maximum cost.
    /// @return left The wei left, or `type(uint256).max` when the owner opted in to no cap.
    function getGasLeft(address account, bytes32 sessionId) external view returns (uint256 left) {
        SessionState storage session = _state.sessions[sessionId][account];
        if (session.flags & PolicyFlags.SESSION_GAS_UNLIMITED != 0) return _NO_LIMIT;
        return session.gasLeft;
    }

    /// @notice The counters of a session on `target`: token amount, native value, calls.
    /// @return tokenLimit The cumulative token limit, or `type(uint256).max` when there is none.
    /// @return tokenSpent The token amount counted so far.
    /// @return valueLimit The cumulative native value limit (`type(uint256).max`: none; 0: no value).
    /// @return valueSpent The native value counted so far.
    /// @return maxUses How many calls are allowed (`type(uint256).max`: no limit).
    /// @return uses How many calls were counted.
    function getTargetUsage(
        address account,
        bytes32 sessionId,
        address target
    )
        external
        view
        returns (
            uint256 tokenLimit,
            uint256 tokenSpent,
            uint256 valueLimit,
            uint256 valueSpent,
            uint256 maxUses,
            uint256 uses
        )
    {
        TargetPolicy storage policy = _state.targets[SessionStoreLib.targetKey(sessionId, target)][account];
        uint256 flags = policy.flags;
        tokenLimit = flags & PolicyFlags.TARGET_TOKEN_LIMITED != 0 ? policy.tokenLimit : _NO_LIMIT;
        tokenSpent = policy.tokenSpent;
        if (flags & PolicyFlags.TARGET_VALUE == 0) valueLimit = 0;
        else valueLimit = flags & PolicyFlags.TARGET_VALUE_TOTAL_LIMITED != 0 ? policy.valueLimitTotal : _NO_LIMIT;
        valueSpent = policy.valueSpent;
        maxUses = flags & PolicyFlags.TARGET_USES_LIMITED != 0 ? policy.maxUses : _NO_LIMIT;
        uses = policy.uses;
    }

    /// @notice A cumulative-sum rule of a session (condition SUM_LTE): its limit and the total
    /// counted so far; (0, 0) when rule `index` of `selector` on `target` is not one.
    /// @param target The destination (`address(0)` for an any-destination permission's rules).
    /// @param index The rule's position among the rules of `selector` on `target`.
    function getRuleTotal(
        address account,
        bytes32 sessionId,
        address target,
        bytes4 selector,
        uint256 index
    ) external view returns (uint256 limit, uint256 total) {
        SelectorPolicy storage policy = _state.selectors[SessionStoreLib.selectorKey(sessionId, target, selector)][account];
        if (index >= policy.ruleCount || policy.rules[index].condition != PolicyFlags.SUM_LTE) return (0, 0);
        StoredRule storage rule = policy.rules[index];
        return (uint256(rule.values[0]), uint256(rule.values[1]));
    }

    /// @notice The token limit of a session on `target` and how much of it is spent.
    function getTokenLimit(
        address account,
        bytes32 sessionId,
        address target
    ) external view returns (uint256 limit, uint256 spent) {
        TargetPolicy storage policy = _state.targets[SessionStoreLib.targetKey(sessionId, target)][account];
        limit = policy.flags & PolicyFlags.TARGET_TOKEN_LIMITED != 0 ? policy.tokenLimit : _NO_LIMIT;
        spent = policy.tokenSpent;
    }

    /// @notice The recurring limits of a session on `target` and the counters of the period
    /// last charged (a later period starts from zero).
    /// @return start When period 0 starts (0: no recurring limits).
    /// @return period The period's length in seconds.
    /// @return index The period last charged.
    /// @return tokenLimit Token amount per period (`type(uint256).max`: none).
    /// @return tokenSpent Token amount counted in period `index`.
    /// @return valueLimit Native value per period (`type(uint256).max`: none).
    /// @return valueSpent Native value counted in period `index`.
    /// @return maxUses Calls per period (`type(uint256).max`: none).
    /// @return uses Calls counted in period `index`.
    function getPeriodUsage(
        address account,
        bytes32 sessionId,
        address target
    )
        external
        view
        returns (
            uint256 start,
            uint256 period,
            uint256 index,
            uint256 tokenLimit,
            uint256 tokenSpent,
            uint256 valueLimit,
            uint256 valueSpent,
            uint256 maxUses,
            uint256 uses
        )
    {
        TargetPolicy storage policy = _state.targets[SessionStoreLib.targetKey(sessionId, target)][account];
        uint256 word = policy.period;
        uint256 flags = uint8(word >> 128);
        start = uint48(word);
        period = uint32(word >> 48);
        index = uint48(word >> 80);
        tokenLimit = flags & PolicyFlags.PERIOD_TOKEN_LIMITED != 0 ? policy.periodTokenLimit : _NO_LIMIT;
        tokenSpent = policy.periodTokenSpent;
        valueLimit = flags & PolicyFlags.PERIOD_VALUE_LIMITED != 0 ? policy.periodValueLimit : _NO_LIMIT;
        valueSpent = policy.periodValueSpent;
        maxUses = flags & PolicyFlags.PERIOD_USES_LIMITED != 0 ? uint56(word >> 136) : _NO_LIMIT;
        uses = word >> 192;
    }

    /// @notice Whether a session permits calling `selector` on `target` (rules aside).
    function isPermitted(
        address account,
        bytes32 sessionId,
        address target,
        bytes4 selector
    ) external view returns (bool) {
        uint256 flags = _state.targets[SessionStoreLib.targetKey(sessionId, target)][account].flags;
        if (flags & PolicyFlags.TARGET_PERMITTED == 0) return false;
        uint256 tokenFlag = TokenCallLib.flagOf(selector);
        if (tokenFlag != 0 && flags & tokenFlag != 0) return true;
        return _state.selectors[SessionStoreLib.selectorKey(sessionId, target, selector)][account].allowed;
    }

    /// @notice The revocation epoch of `account`, which off-chain grants must name: revoke-all
    /// and uninstall move it to `(count + 1) << 96 | random96`, a value nobody knows before.
    function getEpoch(address account) external view returns (uint128) {
        return _state.epochs[account];
    }

    // ───────────────────────────── internal: sessions ─────────────────────────────

    /// @dev Reads the signature's form, key, salt and claimed time (and, in the "enable" form,
    /// creates the session from its grant). `ok` is false for any other shape. `signedFor` is
    /// what the session key signs beside the userOpHash: the session id, or in the "enable" form
    /// `keccak(sessionId ‖ grantDigest)`, then with a claimed time `keccak(that ‖ time)`.
    /// `times` packs the grant's deadline when this validation created the session (else 0,
    /// low 48 bits) and the claimed time (else 0, the 48 bits above).
    function _openSignature(
        bytes calldata signature
    ) internal returns (bool ok, address sessionKey, bytes32 sessionId, bytes32 signedFor, uint256 times) {
        if (signature.length < _SIG_USE_LENGTH) return (false, address(0), 0, 0, 0);
        // The length is checked: the words read below lie inside the signature.
        uint256 head = ExecutionLib._word(signature, 0);
        uint256 form = head >> 248;
        uint256 end = form & _SIG_TIME != 0 ? _SIG_USE_LENGTH + _TIME_LENGTH : _SIG_USE_LENGTH;
        if (form > (_SIG_ENABLE | _SIG_TIME) || signature.length < end) return (false, address(0), 0, 0, 0);
        sessionKey = address(uint160(head >> 88));
        sessionId = SessionStoreLib.hashPair(bytes32(uint256(uint160(sessionKey))), bytes32(ExecutionLib._word(signature, 21)));
        signedFor = sessionId;
        if (form & _SIG_ENABLE != 0 && signature.length > end) {
            (signedFor, times) = _enableFromGrant(sessionId, signature[end:]);
        } else if (form & _SIG_ENABLE != 0 || signature.length != end) {
            return (false, address(0), 0, 0, 0);
        }
        if (form & _SIG_TIME != 0) {
            uint256 claimed = uint48(bytes6(signature[_SIG_USE_LENGTH:end]));
            signedFor = SessionStoreLib.hashPair(signedFor, bytes32(claimed));
            times |= claimed << 48;
        }
        ok = true;
    }

    /// @dev Creates the session of an off-chain grant on its first use (SessionStoreLib, on this
    /// module's storage) and returns what the session key signs for, `keccak(sessionId ‖
    /// grantDigest)`, and the grant's deadline when this validation created the session.
    function _enableFromGrant(
        bytes32 sessionId,
        bytes calldata grant
    ) private returns (bytes32 signedFor, uint256 enableBefore) {
        bytes32 digest;
        (digest, enableBefore) = SessionStoreLib.enableFromGrant(_state, _domainSeparatorV4(), sessionId, grant);
        signedFor = SessionStoreLib.hashPair(sessionId, digest);
    }

    /// @dev Runs in execution only (revoke-all, uninstall), never in validation: the block's
    /// randomness and hash are fine here. The count in the high 32 bits never repeats.
    function _revokeAll(address account) internal {
        uint256 count = uint32(_state.epochs[account] >> 96) + 1;
        uint96 random = uint96(
            uint256(keccak256(abi.encode(account, count, block.prevrandao, blockhash(block.number - 1), gasleft())))
        );
        uint128 epoch = uint128((count << 96) | random);
        _state.epochs[account] = epoch;
        emit AllSessionsRevoked(account, epoch);
    }

    // ───────────────────────────── internal: operation ─────────────────────────────

    /// @dev Whether the session's key signed `digest`: the key the signature names, or the one
    /// the owner rotated the session to (slot 1 of the record, read only then).
    function _isSessionSigned(
        bytes32 sessionId,
        uint256 state,
        address sessionKey,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (bool) {
        if (uint8(state >> 144) & PolicyFlags.SESSION_KEY_ROTATED != 0) {
            sessionKey = _state.sessions[sessionId][msg.sender].key;
        }
        return _isSignedBy(sessionKey, digest, signature);
    }

    /// @dev A session of the calling account that exists and was not revoked (else the error).
    function _liveSession(bytes32 sessionId) private view returns (SessionState storage session) {
        session = _state.sessions[sessionId][msg.sender];
        if (session.status == SessionStoreLib.STATUS_NONE) revert SessionNotFound(sessionId);
        if (session.status == SessionStoreLib.STATUS_REVOKED || session.epoch != SessionStoreLib.revocationCount(_state, msg.sender)) {
            revert SessionRevoked(sessionId);
        }
    }

    /// @dev Revokes a session of the calling account (also one never created: its grant dies).
    function _revoke(bytes32 sessionId) private {
        SessionState storage session = _state.sessions[sessionId][msg.sender];
        session.status = SessionStoreLib.STATUS_REVOKED;
        session.enabled = false;
        emit SessionRevokedBy(msg.sender, sessionId);
    }

    /// @dev The session is live, then paymaster, gas budget and every call; returns the
    /// session's first word (window, flags) as read before the charge, and the periods the
    /// calls' recurring limits were charged to (`start << 48 | end`, 0: none).
    function _checkOperation(
        bytes32 sessionId,
        PackedUserOperation calldata userOp,
        uint256 claimed
    ) internal returns (uint256 state, uint256 window) {
        SessionState storage session = _state.sessions[sessionId][msg.sender];
        state = _load(session);
        uint256 status = uint8(state >> 128);
        if (status == SessionStoreLib.STATUS_NONE) revert SessionNotFound(sessionId);
        if (status == SessionStoreLib.STATUS_REVOKED || uint32(state >> 96) != SessionStoreLib.revocationCount(_state, msg.sender)) {
            revert SessionRevoked(sessionId);
        }
        if (uint8(state >> 136) == 0) revert SessionDisabled(sessionId);

        uint256 sessionFlags = uint8(state >> 144);
        _checkPaymaster(sessionId, sessionFlags, userOp.paymasterAndData);
        if (sessionFlags & PolicyFlags.SESSION_GAS_UNLIMITED == 0) _chargeGasBudget(session, state, userOp);
        else _store(session, state + _ONE_OPERATION);
        // The call context: the claimed time (bits 96-143) when the session has recurring limits.
        uint256 context = sessionFlags & PolicyFlags.SESSION_RECURRING != 0 ? (claimed << 96) | _RECURRING : 0;
        if (sessionFlags & PolicyFlags.SESSION_ANY_TARGET != 0) context |= _ANY_TARGET;
        window = _checkExecution(sessionId, context, userOp.callData);
    }

    /// @dev No paymaster, or one the session lists.
    function _checkPaymaster(bytes32 sessionId, uint256 sessionFlags, bytes calldata paymasterAndData) internal view {
        if (paymasterAndData.length == 0) return;
        address paymaster = address(bytes20(paymasterAndData[0:20]));
        if (
            sessionFlags & PolicyFlags.SESSION_PAYMASTERS == 0 ||
            !_state.paymasters[SessionStoreLib.paymasterKey(sessionId, paymaster)][msg.sender]
        ) revert SessionPaymasterNotAllowed(paymaster);
    }

    /// @dev Charges the operation's maximum cost: every gas limit it signed (the paymaster's
    /// too), times its max fee: the prefund the EntryPoint itself reserves, so the operation
    /// can never cost more, whoever pays it. No GASPRICE opcode is needed. The unspent budget
    /// sits in the session's first word (`state`, already read), which goes back in one SSTORE.
    function _chargeGasBudget(SessionState storage session, uint256 state, PackedUserOperation calldata userOp) internal {
        uint256 limits = uint256(userOp.accountGasLimits);
        uint256 gas = (limits >> 128) + uint128(limits) + userOp.preVerificationGas;
        bytes calldata paymasterAndData = userOp.paymasterAndData;
        if (paymasterAndData.length >= 52) {
            gas += uint128(bytes16(paymasterAndData[20:36])) + uint128(bytes16(paymasterAndData[36:52]));
        }
        uint256 cost = gas * uint128(uint256(userOp.gasFees));
        uint256 left = state >> 152;
        if (cost > left) revert SessionGasBudgetExceeded(left, cost);
        _store(session, (state & type(uint152).max) | ((left - cost) << 152));
    }

    /// @dev Decodes `execute(mode, executionCalldata)` canonically and checks every call.
    /// `context` carries the claimed time (see `_checkCall`); returns the charged periods.
    function _checkExecution(
        bytes32 sessionId,
        uint256 context,
        bytes calldata callData
    ) internal returns (uint256 window) {
        (bool ok, bytes32 mode, bytes calldata executionCalldata) = callData.decodeExecute();
        if (!ok) revert SessionCalldataMalformed();
        (bool known, uint8 callType, uint8 execType) = ExecutionLib.decodeMode(mode);
        if (!known || execType > ExecutionLib.EXECTYPE_TRY) revert SessionExecutionModeNotAllowed(mode);
        if (execType == ExecutionLib.EXECTYPE_TRY) context |= PolicyFlags.TARGET_TRY_MODE << 64;

        if (callType == ExecutionLib.CALLTYPE_SINGLE) return _checkSingle(sessionId, context, executionCalldata);
        if (callType == ExecutionLib.CALLTYPE_BATCH) return _checkBatch(sessionId, context, executionCalldata);
        if (callType == ExecutionLib.CALLTYPE_DELEGATECALL) return _checkDelegate(sessionId, context, executionCalldata);
        revert SessionExecutionModeNotAllowed(mode);
    }

    /// @dev A single call: `target | value | calldata`.
    function _checkSingle(bytes32 sessionId, uint256 context, bytes calldata executionCalldata) internal returns (uint256) {
        (bool valid, address target, uint256 value, bytes calldata data) = executionCalldata.decodeSingle();
        if (!valid) revert SessionCalldataMalformed();
        return _checkCall(sessionId, context, target, value, data);
    }

    /// @dev A delegatecall: `target | calldata`, only where the permission allows it.
    function _checkDelegate(bytes32 sessionId, uint256 context, bytes calldata executionCalldata) internal returns (uint256) {
        (bool valid, address target, bytes calldata data) = executionCalldata.decodeDelegate();
        if (!valid) revert SessionCalldataMalformed();
        return _checkCall(sessionId, context | (PolicyFlags.TARGET_DELEGATECALL << 64), target, 0, data);
    }

    /// @dev Every call of a batch, in order; the batch must end exactly after the last one.
    /// The periods charged are intersected: each contains the claimed time.
    function _checkBatch(
        bytes32 sessionId,
        uint256 context,
        bytes calldata executionCalldata
    ) internal returns (uint256 window) {
        (bool valid, uint256 count) = executionCalldata.batchLength();
        if (!valid) revert SessionCalldataMalformed();
        uint256 offset = count * 0x20;
        for (uint256 i = 0; i < count; ++i) {
            address target;
            uint256 value;
            bytes calldata data;
            (valid, target, value, data, offset) = executionCalldata.batchAt(i, offset);
            if (!valid) revert SessionCalldataMalformed();
            uint256 charged = _checkCall(sessionId, context | i, target, value, data);
            if (charged != 0) {
                if (window == 0) window = charged;
                else {
                    if (charged >> 48 > window >> 48) window = (charged >> 48 << 48) | uint48(window);
                    if (uint48(charged) < uint48(window)) window = (window >> 48 << 48) | uint48(charged);
                }
            }
        }
        if (!executionCalldata.batchEndsAt(offset)) revert SessionCalldataMalformed();
    }

    /// @dev One call: destination, call type, value, uses, recurring limits, selector, token
    /// amount, rules. `context` packs the call's index (bits 0-63), the target flags its call
    /// type requires (try-mode, delegatecall; bits 64-79), whether the session has recurring
    /// limits (_RECURRING) or an any-destination permission (_ANY_TARGET), and the claimed time
    /// (bits 96-143). Returns the period charged on this destination (`start << 48 | end`), or 0.
    /// A destination no permission lists goes through the any-destination permission, if any:
    /// its limits and rules are those stored at destination 0, and what this destination used
    /// is counted in this destination's own record (which stays unpermitted).
    function _checkCall(
        bytes32 sessionId,
        uint256 context,
        address target,
        uint256 value,
        bytes calldata data
    ) internal returns (uint256 window) {
        uint256 index = uint64(context);
        uint256 requiredFlags = uint16(context >> 64);
        // The account maps target 0 to itself; neither the account nor this module is ever
        // a permitted destination (no installModule, upgrade or session edits by a session).
        if (target == address(0) || target == msg.sender || target == address(this)) {
            revert SessionTargetNotAllowed(index, target);
        }
        TargetPolicy storage counters = _state.targets[SessionStoreLib.targetKey(sessionId, target)][msg.sender];
        TargetPolicy storage policy = counters;
        uint256 word = _load(counters);
        if (uint16(word) & PolicyFlags.TARGET_PERMITTED == 0) {
            if (context & _ANY_TARGET == 0) revert SessionTargetNotAllowed(index, target);
            policy = _state.targets[SessionStoreLib.targetKey(sessionId, address(0))][msg.sender];
            // The permission's flags and token limit, this destination's token counter.
            word = (_load(policy) & type(uint136).max) | (word >> 136 << 136);
            context |= _VIA_ANY;
        }
        uint256 flags = uint16(word);
        if (flags & requiredFlags != requiredFlags) revert SessionCallTypeNotAllowed(index, target);
        if (value != 0) _chargeValue(policy, flags, index, target, value);
        if (flags & PolicyFlags.TARGET_USES_LIMITED != 0) _countUse(policy, counters, index, target);
        if (context & _RECURRING != 0) window = _chargePeriod(policy, context, target, value, _tokenAmount(flags, data));

        if (data.length == 0 && flags & PolicyFlags.TARGET_EMPTY_CALLDATA != 0) return window;
        if (data.length < 4) revert SessionCallDataInvalid(index, target);
        _checkFunction(sessionId, context, target, policy, counters, word, data);
    }

    /// @dev The selector: a token function (one bit of the target word, and its amount
    /// counted in the same slot) or another permitted function; then its argument rules.
    /// `policy` holds the permission (flags, inline rule), `counters` what the destination used.
    function _checkFunction(
        bytes32 sessionId,
        uint256 context,
        address target,
        TargetPolicy storage policy,
        TargetPolicy storage counters,
        uint256 word,
        bytes calldata data
    ) internal {
        uint256 index = uint64(context);
        uint256 flags = uint16(word);
        bytes4 selector = bytes4(bytes32(ExecutionLib._word(data, 0))); // data.length >= 4 was checked
        uint256 tokenFlag = TokenCallLib.flagOf(selector);
        bool isToken = tokenFlag != 0 && flags & tokenFlag != 0;
        if (isToken) {
            _countTokens(counters, word, context, target, selector, data);
            if (flags & (PolicyFlags.TARGET_TOKEN_RULES | PolicyFlags.TARGET_TOKEN_RULE_INLINE) == 0) return;
            if (flags & PolicyFlags.TARGET_TOKEN_RULE_INLINE != 0) return _checkInlineRule(policy, index, target, selector, data);
        } else if (flags & PolicyFlags.TARGET_OTHER_SELECTORS == 0) {
            revert SessionSelectorNotAllowed(index, target, selector);
        }
        SelectorPolicy storage selectorPolicy = _selectorRecord(sessionId, context, target, selector);
        if (!isToken && !selectorPolicy.allowed) revert SessionSelectorNotAllowed(index, target, selector);
        uint256 broken = selectorPolicy.firstBroken(data);
        if (broken != type(uint256).max) revert SessionRuleViolated(index, target, selector, broken);
    }

    /// @dev The record of `selector` on `target`; the any-destination permission's are under destination 0.
    function _selectorRecord(
        bytes32 sessionId,
        uint256 context,
        address target,
        bytes4 selector
    ) private view returns (SelectorPolicy storage) {
        address ruleTarget = context & _VIA_ANY != 0 ? address(0) : target;
        return _state.selectors[SessionStoreLib.selectorKey(sessionId, ruleTarget, selector)][msg.sender];
    }

    /// @dev The destination's inline token rule (TargetPolicy.tokenRule), when it is on `selector`:
    /// the same test as ArgRuleLib.holds, on one word read from the record's fourth slot.
    function _checkInlineRule(
        TargetPolicy storage policy,
        uint256 index,
        address target,
        bytes4 selector,
        bytes calldata data
    ) internal view {
        uint256 rule;
        bool clean;
        uint256 value;
        assembly ("memory-safe") {
            rule := sload(add(policy.slot, 3))
            // ArgRuleLib.argument, inline: present in the calldata, nothing above its width.
            let start := add(4, shl(5, and(shr(208, rule), 0xff)))
            if iszero(lt(data.length, add(start, 32))) {
                value := calldataload(add(data.offset, start))
                clean := iszero(shr(and(shr(192, rule), 0xffff), value))
            }
        }
        if (rule >> 224 != uint32(selector)) return;
        if (!clean || !ArgRuleLib.compare(uint8(rule >> 216), value, uint192(rule))) {
            revert SessionRuleViolated(index, target, selector, 0);
        }
    }

    /// @dev Reads the amount of a token call from its exact shape and counts it against the limit.
    /// Through the any-destination permission only the counter is written (the destination's
    /// record keeps no flags: it never becomes a permission of its own).
    function _countTokens(
        TargetPolicy storage counters,
        uint256 word,
        uint256 context,
        address target,
        bytes4 selector,
        bytes calldata data
    ) internal {
        (bool ok, uint256 amount) = TokenCallLib.amountOf(selector, data);
        if (!ok) revert SessionCallDataInvalid(uint64(context), target);
        if (uint16(word) & PolicyFlags.TARGET_TOKEN_LIMITED == 0) return;
        uint256 spent = uint120(word >> 136);
        uint256 limit = uint120(word >> 16);
        if (amount > limit - spent) revert SessionLimitExceeded(uint64(context), target, spent, amount, limit);
        // Only tokenSpent changes: the updated word goes back in one SSTORE.
        uint256 kept = context & _VIA_ANY != 0 ? 0 : word & type(uint136).max;
        _store(counters, kept | ((spent + amount) << 136));
    }

    function _chargeValue(TargetPolicy storage policy, uint256 flags, uint256 index, address target, uint256 value)
        internal
    {
        if (flags & PolicyFlags.TARGET_VALUE == 0) revert SessionValueNotAllowed(index, value);
        if (flags & PolicyFlags.TARGET_VALUE_PER_CALL_LIMITED != 0 && value > policy.valueLimitPerCall) {
            revert SessionValuePerCallExceeded(index, target, value, policy.valueLimitPerCall);
        }
        if (flags & PolicyFlags.TARGET_VALUE_TOTAL_LIMITED != 0) {
            uint256 spent = policy.valueSpent;
            uint256 limit = policy.valueLimitTotal;
            if (value > limit - spent) revert SessionValueLimitExceeded(index, target, spent, value, limit);
            policy.valueSpent = uint128(spent + value);
        }
    }

    /// @dev The amount a call moves when it is a token function the destination permits, else 0
    /// (malformed token calldata counts 0 here and is refused by `_countTokens`).
    function _tokenAmount(uint256 flags, bytes calldata data) internal pure returns (uint256 amount) {
        if (data.length < 4) return 0;
        bytes4 selector = bytes4(bytes32(ExecutionLib._word(data, 0)));
        uint256 tokenFlag = TokenCallLib.flagOf(selector);
        if (tokenFlag == 0 || flags & tokenFlag == 0) return 0;
        (, amount) = TokenCallLib.amountOf(selector, data);
    }

    /// @dev Charges a call to the recurring limits of its destination (none: returns 0), in the
    /// period the claimed time falls in, and returns that period as `start << 48 | end`. A
    /// period after the one last charged starts from zero; one before it is refused. The time
    /// is never read here: the EntryPoint refuses the operation outside the returned period.
    function _chargePeriod(
        TargetPolicy storage policy,
        uint256 context,
        address target,
        uint256 value,
        uint256 amount
    ) internal returns (uint256) {
        uint256 word = policy.period;
        uint256 length = uint32(word >> 48);
        if (length == 0) return 0;
        uint256 claimed = uint48(context >> 96);
        if (claimed < uint48(word)) revert SessionTimeClaimInvalid(uint64(context), target, claimed);
        uint256 period = (claimed - uint48(word)) / length;
        uint256 current = uint48(word >> 80);
        if (period < current) revert SessionPeriodStale(uint64(context), target, period, current);
        bool fresh = period > current;
        uint256 flags = uint8(word >> 128);
        if (flags & PolicyFlags.PERIOD_USES_LIMITED != 0) {
            uint256 uses = fresh ? 0 : word >> 192;
            uint256 maxUses = uint56(word >> 136);
            if (uses >= maxUses) revert SessionPeriodLimitExceeded(uint64(context), target, 2, period, uses, 1, maxUses);
            word = (word & type(uint192).max) | ((uses + 1) << 192);
        }
        if (fresh || flags & PolicyFlags.PERIOD_USES_LIMITED != 0) {
            policy.period = (word & ~(uint256(type(uint48).max) << 80)) | (period << 80);
        }
        // `period << 1 | fresh`, for the counters below.
        uint256 charge = (period << 1) | (fresh ? 1 : 0);
        if (flags & PolicyFlags.PERIOD_VALUE_LIMITED != 0 && (fresh || value != 0)) {
            _chargePeriodValue(policy, context, target, charge, value);
        }
        if (flags & PolicyFlags.PERIOD_TOKEN_LIMITED != 0 && (fresh || amount != 0)) {
            _chargePeriodTokens(policy, context, target, charge, amount);
        }
        uint256 start = uint48(word) + period * length;
        uint256 end = start + length - 1;
        if (end > type(uint48).max) end = type(uint48).max;
        return (start << 48) | end;
    }

    /// @dev Native value against the per-period limit (`charge` = `period << 1 | fresh`).
    function _chargePeriodValue(
        TargetPolicy storage policy,
        uint256 context,
        address target,
        uint256 charge,
        uint256 value
    ) private {
        uint256 spent = charge & 1 != 0 ? 0 : policy.periodValueSpent;
        uint256 limit = policy.periodValueLimit;
        if (value > limit - spent) {
            revert SessionPeriodLimitExceeded(uint64(context), target, 1, charge >> 1, spent, value, limit);
        }
        policy.periodValueSpent = uint128(spent + value);
    }

    /// @dev Token amount against the per-period limit (`charge` = `period << 1 | fresh`).
    function _chargePeriodTokens(
        TargetPolicy storage policy,
        uint256 context,
        address target,
        uint256 charge,
        uint256 amount
    ) private {
        uint256 spent = charge & 1 != 0 ? 0 : policy.periodTokenSpent;
        uint256 limit = policy.periodTokenLimit;
        if (amount > limit - spent) {
            revert SessionPeriodLimitExceeded(uint64(context), target, 0, charge >> 1, spent, amount, limit);
        }
        policy.periodTokenSpent = uint120(spent + amount);
    }

    /// @dev One more call to the destination (`counters`), against the permission's `maxUses`.
    function _countUse(TargetPolicy storage policy, TargetPolicy storage counters, uint256 index, address target)
        internal
    {
        uint64 uses = counters.uses;
        if (uses >= policy.maxUses) revert SessionUsesExceeded(index, target, policy.maxUses);
        counters.uses = uses + 1;
    }

    // ───────────────────────────── internal: helpers ─────────────────────────────

    /// @dev ECDSA over `keccak256(userOpHash ‖ sessionId)`: binds the signature to this
    /// operation (hence account, chain, EntryPoint and validator via the nonce key) and to
    /// this one session. Low-s only; r = 0, s = 0 or v ∉ {27, 28} never recover.
    function _isSignedBy(address sessionKey, bytes32 digest, bytes calldata signature) internal pure returns (bool) {
        // r | s | v sit at bytes 53..117 of a signature at least 118 bytes long.
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(
            digest,
            uint8(ExecutionLib._word(signature, 86)),
            bytes32(ExecutionLib._word(signature, 53)),
            bytes32(ExecutionLib._word(signature, 85))
        );
        return err == ECDSA.RecoverError.NoError && recovered == sessionKey;
    }

    /// @dev ERC-4337 validationData, byte by byte from the low end:
    /// bytes 0–19: aggregator (0 = valid signature, 1 = signature failure);
    /// bytes 20–25: validUntil (uint48, seconds; the EntryPoint rejects after it);
    /// bytes 26–31: validAfter (uint48, seconds; the EntryPoint rejects before it).
    function _packValidationData(bool sigFailed, uint48 validUntil, uint48 validAfter) internal pure returns (uint256) {
        return (sigFailed ? 1 : 0) | (uint256(validUntil) << 160) | (uint256(validAfter) << 208);
    }

    /// @dev The first slot of a session record, as one word (see SessionState's layout).
    function _load(SessionState storage session) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(session.slot)
        }
    }

    /// @dev The first slot of a target record, as one word (see TargetPolicy's layout).
    function _load(TargetPolicy storage policy) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(policy.slot)
        }
    }

    function _store(SessionState storage session, uint256 word) private {
        assembly ("memory-safe") {
            sstore(session.slot, word)
        }
    }

    function _store(TargetPolicy storage policy, uint256 word) private {
        assembly ("memory-safe") {
            sstore(policy.slot, word)
        }
    }

    // ───────────────────────────── metadata ─────────────────────────────

    /// @notice ERC-7579: this module is a validator (type 1) only.
    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == _MODULE_TYPE_VALIDATOR;
    }

    /// @notice The module's name.
    function name() external pure returns (string memory) {
        return "SessionKeyValidator";
    }

    /// @notice The module's version.
    function version() external pure returns (string memory) {
        return "0.7.0";
    }
}
