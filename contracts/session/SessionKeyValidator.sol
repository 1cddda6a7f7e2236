// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ISessionKeyValidator} from "./ISessionKeyValidator.sol";
import {Permission, SessionConfig, SessionState, TargetPolicy} from "./DataTypes.sol";
import {ExecutionLib} from "./lib/ExecutionLib.sol";
import {TokenCallLib} from "./lib/TokenCallLib.sol";

/// @title SessionKeyValidator
/// @notice ERC-7579 validator module: a session key signs user operations for an account,
/// and the operation is valid only if every call it will execute complies with the
/// session's permissions, inside the session's time window.
/// @dev Validation path (top to bottom): read the signature → load the session → check it
/// is live → decode the execution exactly as the account will → check each call → verify
/// the session key's ECDSA signature → pack the window into `validationData`.
/// ERC-7562: no TIMESTAMP/NUMBER or other banned opcode is used in validation (the window
/// goes through `validationData`), and every slot touched in validation is associated with
/// the account (the account is the innermost mapping key, or the key itself).
contract SessionKeyValidator is ISessionKeyValidator {
    using ExecutionLib for bytes;

    // ───────────────────────────── constants ─────────────────────────────

    uint256 private constant _MODULE_TYPE_VALIDATOR = 1;
    uint256 private constant _SIG_VALIDATION_FAILED = 1;
    bytes4 private constant _ERC1271_INVALID = 0xffffffff;
    uint256 private constant _NO_LIMIT = type(uint256).max;

    uint8 private constant _STATUS_NONE = 0;
    uint8 private constant _STATUS_ACTIVE = 1;
    uint8 private constant _STATUS_REVOKED = 2;

    /// @dev Signature: sessionKey (20) | salt (32) | r (32) | s (32) | v (1).
    uint256 private constant _SIGNATURE_LENGTH = 117;

    // ───────────────────────────── storage ─────────────────────────────

    /// @dev slot = keccak(account . keccak(sessionId . p)): the account is the innermost key,
    /// so the slot is "associated with the account" (ERC-7562 STO-021/032).
    mapping(bytes32 sessionId => mapping(address account => SessionState)) private _sessions;
    /// @dev targetKey = keccak(sessionId, target); account innermost (ERC-7562 associated).
    mapping(bytes32 targetKey => mapping(address account => TargetPolicy)) private _targets;
    /// @dev selectorKey = keccak(sessionId, target, selector); account innermost (associated).
    mapping(bytes32 selectorKey => mapping(address account => bool)) private _selectors;
    /// @dev slot = keccak(account . p): keyed by the account itself (associated).
    mapping(address account => uint32) private _epochs;

    // ───────────────────────── install / uninstall ─────────────────────────

    /// @notice Called by the account when it installs the module.
    /// @param data Empty, or `abi.encode(SessionConfig[])`: sessions to create at once, so
    /// that installing and granting the first session is a single call.
    function onInstall(bytes calldata data) external {
        if (data.length == 0) return;
        SessionConfig[] memory configs = abi.decode(data, (SessionConfig[]));
        for (uint256 i = 0; i < configs.length; ++i) {
            _createSession(configs[i]);
        }
    }

    /// @notice Called by the account when it uninstalls the module: every session of the
    /// account is revoked, so that none comes back if the module is installed again.
    function onUninstall(bytes calldata) external {
        _revokeAll(msg.sender);
    }

    // ───────────────────────────── management ─────────────────────────────

    /// @inheritdoc ISessionKeyValidator
    function createSession(SessionConfig calldata config) external returns (bytes32) {
        return _createSession(config);
    }

    /// @inheritdoc ISessionKeyValidator
    function setSessionEnabled(bytes32 sessionId, bool enabled) external {
        SessionState storage session = _liveSession(sessionId, msg.sender);
        session.enabled = enabled;
        emit SessionEnabledSet(msg.sender, sessionId, enabled);
    }

    /// @inheritdoc ISessionKeyValidator
    function revokeSession(bytes32 sessionId) external {
        SessionState storage session = _sessions[sessionId][msg.sender];
        if (session.status == _STATUS_NONE) revert SessionNotFound(sessionId);
        session.status = _STATUS_REVOKED;
        session.enabled = false;
        emit SessionRevokedBy(msg.sender, sessionId);
    }

    /// @inheritdoc ISessionKeyValidator
    function revokeAllSessions() external {
        _revokeAll(msg.sender);
    }

    // ───────────────────────────── validation ─────────────────────────────

    /// @notice Validates a user operation signed by a session key.
    /// @dev Returns `SIG_VALIDATION_FAILED` (1) when the signature is not the session key's
    /// or names no session, after running every other check so that a bundler's estimate
    /// with a stub signature follows the same path. Reverts with a custom error when the
    /// signature is right but the operation breaks the session's rules. Spent amounts are
    /// counted here, before execution: a call that later reverts still counts (the safe side).
    /// @return validationData `0`/`1` in the low 160 bits, validUntil and validAfter above.
    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash) external returns (uint256) {
        bytes calldata signature = userOp.signature;
        if (signature.length != _SIGNATURE_LENGTH) return _SIG_VALIDATION_FAILED;
        address sessionKey = address(bytes20(signature[0:20]));
        bytes32 sessionId = keccak256(abi.encode(sessionKey, bytes32(signature[20:52])));

        SessionState memory session = _sessions[sessionId][msg.sender];
        if (session.status == _STATUS_NONE) return _SIG_VALIDATION_FAILED;
        _requireUsable(sessionId, session, msg.sender);

        if (userOp.paymasterAndData.length != 0) {
            revert SessionPaymasterNotAllowed(address(bytes20(userOp.paymasterAndData)));
        }
        _checkExecution(sessionId, userOp.callData);

        bool signed = _isSignedBy(sessionKey, keccak256(abi.encodePacked(userOpHash, sessionId)), signature[52:]);
        return _packValidationData(!signed, session.validUntil, session.validAfter);
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
        SessionState memory session = _sessions[sessionId][account];
        exists = session.status != _STATUS_NONE;
        revoked = session.status == _STATUS_REVOKED || (exists && session.epoch != _epochs[account]);
        return (session.validAfter, session.validUntil, session.enabled, exists, revoked);
    }

    /// @notice The token limit of a session on `target` and how much of it is spent.
    /// @return limit The cumulative limit, or `type(uint256).max` when there is none.
    /// @return spent The amount counted so far.
    function getTokenLimit(
        address account,
        bytes32 sessionId,
        address target
    ) external view returns (uint256 limit, uint256 spent) {
        TargetPolicy memory policy = _targets[_targetKey(sessionId, target)][account];
        limit = policy.flags & TokenCallLib.FLAG_LIMITED != 0 ? policy.limit : _NO_LIMIT;
        spent = policy.spent;
    }

    /// @notice Whether a session permits calling `selector` on `target` (rules aside).
    function isPermitted(
        address account,
        bytes32 sessionId,
        address target,
        bytes4 selector
    ) external view returns (bool) {
        uint16 flags = _targets[_targetKey(sessionId, target)][account].flags;
        if (flags & TokenCallLib.FLAG_PERMITTED == 0) return false;
        uint16 tokenFlag = TokenCallLib.flagOf(selector);
        if (tokenFlag != 0) return flags & tokenFlag != 0;
        return _selectors[_selectorKey(sessionId, target, selector)][account];
    }

    /// @notice The revocation epoch of `account`: revoke-all and uninstall increase it.
    function getEpoch(address account) external view returns (uint32) {
        return _epochs[account];
    }

    // ───────────────────────────── internal: sessions ─────────────────────────────

    function _createSession(SessionConfig memory config) internal returns (bytes32 sessionId) {
        if (config.sessionKey == address(0)) revert SessionKeyInvalid();
        if (config.validUntil <= config.validAfter) revert SessionWindowInvalid(config.validAfter, config.validUntil);
        if (config.permissions.length == 0) revert SessionNoPermissions();
        sessionId = keccak256(abi.encode(config.sessionKey, config.salt));
        SessionState storage session = _sessions[sessionId][msg.sender];
        if (session.status != _STATUS_NONE) revert SessionAlreadyExists(sessionId);

        for (uint256 i = 0; i < config.permissions.length; ++i) {
            _storePermission(sessionId, config.permissions[i]);
        }
        session.validAfter = config.validAfter;
        session.validUntil = config.validUntil;
        session.epoch = _epochs[msg.sender];
        session.status = _STATUS_ACTIVE;
        session.enabled = config.enabled;
        emit SessionCreated(
            msg.sender,
            sessionId,
            config.sessionKey,
            config.validAfter,
            config.validUntil,
            config.enabled
        );
    }

    function _storePermission(bytes32 sessionId, Permission memory permission) internal {
        address target = permission.target;
        if (target == address(0) || target == msg.sender || target == address(this)) {
            revert SessionTargetForbidden(target);
        }
        if (permission.selectors.length == 0) revert SessionNoSelectors(target);
        TargetPolicy storage policy = _targets[_targetKey(sessionId, target)][msg.sender];
        if (policy.flags != 0) revert SessionDuplicateTarget(target);

        uint16 flags = TokenCallLib.FLAG_PERMITTED;
        uint120 limit;
        if (permission.tokenLimit != _NO_LIMIT) {
            if (permission.tokenLimit > type(uint120).max) revert SessionLimitTooLarge(target, permission.tokenLimit);
            flags |= TokenCallLib.FLAG_LIMITED;
            limit = uint120(permission.tokenLimit);
        }
        for (uint256 j = 0; j < permission.selectors.length; ++j) {
            bytes4 selector = permission.selectors[j];
            uint16 tokenFlag = TokenCallLib.flagOf(selector);
            if (tokenFlag != 0) {
                flags |= tokenFlag;
            } else {
                flags |= TokenCallLib.FLAG_OTHER_SELECTORS;
                _selectors[_selectorKey(sessionId, target, selector)][msg.sender] = true;
            }
        }
        policy.flags = flags;
        policy.limit = limit;
    }

    function _revokeAll(address account) internal {
        uint32 epoch = _epochs[account] + 1;
        _epochs[account] = epoch;
        emit AllSessionsRevoked(account, epoch);
    }

    function _liveSession(bytes32 sessionId, address account) internal view returns (SessionState storage session) {
        session = _sessions[sessionId][account];
        if (session.status == _STATUS_NONE) revert SessionNotFound(sessionId);
        if (session.status == _STATUS_REVOKED || session.epoch != _epochs[account]) revert SessionRevoked(sessionId);
    }

    function _requireUsable(bytes32 sessionId, SessionState memory session, address account) internal view {
        if (session.status == _STATUS_REVOKED || session.epoch != _epochs[account]) revert SessionRevoked(sessionId);
        if (!session.enabled) revert SessionDisabled(sessionId);
    }

    // ───────────────────────────── internal: calls ─────────────────────────────

    /// @dev Decodes `execute(mode, executionCalldata)` canonically and checks every call.
    function _checkExecution(bytes32 sessionId, bytes calldata callData) internal {
        (bool ok, bytes32 mode, bytes calldata executionCalldata) = callData.decodeExecute();
        if (!ok) revert SessionCalldataMalformed();

        if (mode == ExecutionLib.MODE_SINGLE) {
            (bool valid, address target, uint256 value, bytes calldata data) = executionCalldata.decodeSingle();
            if (!valid) revert SessionCalldataMalformed();
            _checkCall(sessionId, 0, target, value, data);
        } else if (mode == ExecutionLib.MODE_BATCH) {
            (bool valid, uint256 count) = executionCalldata.batchLength();
            if (!valid) revert SessionCalldataMalformed();
            uint256 offset = count * 0x20;
            for (uint256 i = 0; i < count; ++i) {
                address target;
                uint256 value;
                bytes calldata data;
                (valid, target, value, data, offset) = executionCalldata.batchAt(i, offset);
                if (!valid) revert SessionCalldataMalformed();
                _checkCall(sessionId, i, target, value, data);
            }
            if (!executionCalldata.batchEndsAt(offset)) revert SessionCalldataMalformed();
        } else {
            revert SessionExecutionModeNotAllowed(mode);
        }
    }

    /// @dev One call: destination, value, selector, then the token limit.
    function _checkCall(bytes32 sessionId, uint256 index, address target, uint256 value, bytes calldata data) internal {
        // The account maps target 0 to itself; neither the account nor this module is ever
        // a permitted destination (no installModule, upgrade or session edits by a session).
        if (target == address(0) || target == msg.sender || target == address(this)) {
            revert SessionTargetNotAllowed(index, target);
        }
        if (value != 0) revert SessionValueNotAllowed(index, value);
        if (data.length < 4) revert SessionCallDataInvalid(index, target);

        TargetPolicy storage policy = _targets[_targetKey(sessionId, target)][msg.sender];
        uint16 flags = policy.flags;
        if (flags & TokenCallLib.FLAG_PERMITTED == 0) revert SessionTargetNotAllowed(index, target);

        bytes4 selector = bytes4(data[0:4]);
        uint16 tokenFlag = TokenCallLib.flagOf(selector);
        if (tokenFlag == 0) {
            if (flags & TokenCallLib.FLAG_OTHER_SELECTORS == 0 || !_selectors[_selectorKey(sessionId, target, selector)][msg.sender]) {
                revert SessionSelectorNotAllowed(index, target, selector);
            }
            return;
        }
        if (flags & tokenFlag == 0) revert SessionSelectorNotAllowed(index, target, selector);
        (bool ok, uint256 amount) = TokenCallLib.amountOf(tokenFlag, data);
        if (!ok) revert SessionCallDataInvalid(index, target);
        if (flags & TokenCallLib.FLAG_LIMITED != 0) {
            uint256 spent = policy.spent;
            uint256 limit = policy.limit;
            if (amount > limit - spent) revert SessionLimitExceeded(index, target, spent, amount, limit);
            policy.spent = uint120(spent + amount);
        }
    }

    // ───────────────────────────── internal: helpers ─────────────────────────────

    /// @dev ECDSA over `keccak256(userOpHash ‖ sessionId)`: binds the signature to this
    /// operation (hence account, chain, EntryPoint and validator via the nonce key) and to
    /// this one session. Low-s only; r = 0, s = 0 or v ∉ {27, 28} never recover.
    function _isSignedBy(address sessionKey, bytes32 digest, bytes calldata rsv) internal pure returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(
            digest,
            uint8(rsv[64]),
            bytes32(rsv[0:32]),
            bytes32(rsv[32:64])
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

    function _targetKey(bytes32 sessionId, address target) internal pure returns (bytes32) {
        return keccak256(abi.encode(sessionId, target));
    }

    function _selectorKey(bytes32 sessionId, address target, bytes4 selector) internal pure returns (bytes32) {
        return keccak256(abi.encode(sessionId, target, selector));
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
        return "0.1.0";
    }
}
