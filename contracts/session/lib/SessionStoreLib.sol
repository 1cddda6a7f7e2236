// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ISessionKeyValidator} from "../ISessionKeyValidator.sol";
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
} from "../DataTypes.sol";
import {GrantHashLib} from "./GrantHashLib.sol";
import {PolicyFlags} from "./PolicyFlags.sol";
import {TokenCallLib} from "./TokenCallLib.sol";

/// @title SessionStoreLib
/// @notice The module's storage: where each record lives, and how a session is written there.
/// @dev `createSession` is external: the module reaches it by DELEGATECALL (a linked library
/// at its own deterministic address), so the module's code holds only the validation path,
/// which EIP-170's 24,576 bytes then fit at the optimizer's full setting. It runs on the
/// module's storage with the module's `msg.sender`, the account, as every record's innermost
/// key (ERC-7562: associated storage), also when a grant creates a session inside validation.
library SessionStoreLib {
    uint8 internal constant STATUS_NONE = 0;
    uint8 internal constant STATUS_ACTIVE = 1;
    uint8 internal constant STATUS_REVOKED = 2;
    uint256 private constant _NO_LIMIT = type(uint256).max;
    /// @dev The slots of a TargetPolicy record.
    uint256 private constant _TARGET_SLOTS = 7;

    /// @notice Writes a session of the calling account (`msg.sender`) from the owner's terms.
    /// @param s The module's storage.
    /// @param config `abi.encode(SessionConfig)`: the module's `createSession` arguments.
    /// @return sessionId `keccak256(abi.encode(sessionKey, salt))`.
    function createSession(SessionStore storage s, bytes calldata config) external returns (bytes32 sessionId) {
        return _createSession(s, abi.decode(config, (SessionConfig)));
    }

    /// @notice Writes the sessions of the calling account's `onInstall` data.
    /// @param s The module's storage.
    /// @param configs `abi.encode(SessionConfig[])`.
    function createSessions(SessionStore storage s, bytes calldata configs) external {
        SessionConfig[] memory decoded = abi.decode(configs, (SessionConfig[]));
        for (uint256 i = 0; i < decoded.length; ++i) {
            _createSession(s, decoded[i]);
        }
    }

    /// @notice The EIP-712 digest of an off-chain grant, under the module's domain.
    /// @param domainSeparator The module's EIP-712 domain separator.
    /// @param grant `abi.encode(address account, uint128 epoch, uint48 enableBefore, SessionConfig config)`.
    function grantDigest(bytes32 domainSeparator, bytes calldata grant) external pure returns (bytes32) {
        (address account, uint128 epoch, uint48 enableBefore, SessionConfig memory config) = abi.decode(
            grant,
            (address, uint128, uint48, SessionConfig)
        );
        return MessageHashUtils.toTypedDataHash(domainSeparator, GrantHashLib.hashGrant(account, epoch, enableBefore, config));
    }

    /// @notice Creates the session of an off-chain grant on its first use, inside validation.
    /// @dev The owner's signature is checked by the account itself (ERC-1271), over an EIP-712
    /// digest bound to this chain, the module, the account, its current epoch and the grant's
    /// deadline (returned, for the EntryPoint to enforce through validationData: validation
    /// never reads the clock). A session that exists already is used as it is (deadline 0);
    /// a revoked id is refused by the module.
    /// @param s The module's storage.
    /// @param domainSeparator The module's EIP-712 domain separator.
    /// @param sessionId The id the operation's signature names (its session key and salt).
    /// @param grant `abi.encode(SessionConfig config, uint128 epoch, uint48 enableBefore, bytes ownerSignature)`.
    /// @return digest The grant's EIP-712 digest, which the session key's signature covers.
    /// @return enableBefore The grant's deadline when this call created the session, else 0.
    function enableFromGrant(
        SessionStore storage s,
        bytes32 domainSeparator,
        bytes32 sessionId,
        bytes calldata grant
    ) external returns (bytes32 digest, uint256 enableBefore) {
        (SessionConfig memory config, uint128 epoch, uint48 deadline, bytes memory ownerSignature) = abi.decode(
            grant,
            (SessionConfig, uint128, uint48, bytes)
        );
        if (keccak256(abi.encode(config.sessionKey, config.salt)) != sessionId || deadline == 0) {
            revert ISessionKeyValidator.SessionGrantInvalid(sessionId);
        }
        digest = MessageHashUtils.toTypedDataHash(
            domainSeparator,
            GrantHashLib.hashGrant(msg.sender, epoch, deadline, config)
        );
        if (s.sessions[sessionId][msg.sender].status != STATUS_NONE) return (digest, 0);
        uint128 current = s.epochs[msg.sender];
        if (epoch != current) revert ISessionKeyValidator.SessionGrantEpochInvalid(sessionId, epoch, current);
        if (IERC1271(msg.sender).isValidSignature(digest, ownerSignature) != IERC1271.isValidSignature.selector) {
            revert ISessionKeyValidator.SessionGrantInvalid(sessionId);
        }
        _createSession(s, config);
        enableBefore = deadline;
    }

    /// @notice A digest of every counter of a session on `account` (see the module's
    /// `getSessionUsageHash`): the session's two slots, then the seven of each target's record.
    /// @param s The module's storage.
    /// @param account The account whose session it is.
    /// @param sessionId The session.
    /// @param targets The destinations whose records it covers, in this order.
    function usageHash(
        SessionStore storage s,
        address account,
        bytes32 sessionId,
        address[] calldata targets
    ) external view returns (bytes32) {
        uint256[] memory words = new uint256[](2 + targets.length * _TARGET_SLOTS);
        SessionState storage session = s.sessions[sessionId][account];
        _readSlots(_slotOf(session), words, 0, 2);
        for (uint256 i = 0; i < targets.length; ++i) {
            TargetPolicy storage policy = s.targets[targetKey(sessionId, targets[i])][account];
            _readSlots(_slotOf(policy), words, 2 + i * _TARGET_SLOTS, _TARGET_SLOTS);
        }
        return keccak256(abi.encode(account, sessionId, targets, words));
    }

    /// @dev Copies `count` storage words from slot `first` into `words` at `at`.
    function _readSlots(uint256 first, uint256[] memory words, uint256 at, uint256 count) private view {
        for (uint256 k = 0; k < count; ++k) {
            uint256 word;
            assembly ("memory-safe") {
                word := sload(add(first, k))
            }
            words[at + k] = word;
        }
    }

    function _slotOf(SessionState storage session) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            slot := session.slot
        }
    }

    function _slotOf(TargetPolicy storage policy) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            slot := policy.slot
        }
    }

    /// @dev Checks each of the owner's terms (the module's error for the first one broken),
    /// then writes the session.
    function _createSession(SessionStore storage s, SessionConfig memory config) private returns (bytes32 sessionId) {
        if (config.sessionKey == address(0)) revert ISessionKeyValidator.SessionKeyInvalid();
        if (config.validUntil <= config.validAfter) revert ISessionKeyValidator.SessionWindowInvalid(config.validAfter, config.validUntil);
        if (config.permissions.length == 0) revert ISessionKeyValidator.SessionNoPermissions();
        sessionId = keccak256(abi.encode(config.sessionKey, config.salt));
        SessionState storage session = s.sessions[sessionId][msg.sender];
        if (session.status != STATUS_NONE) revert ISessionKeyValidator.SessionAlreadyExists(sessionId);

        uint8 flags;
        for (uint256 i = 0; i < config.permissions.length; ++i) {
            flags |= _storePermission(s, sessionId, config.permissions[i]);
        }
        for (uint256 i = 0; i < config.paymasters.length; ++i) {
            address paymaster = config.paymasters[i];
            mapping(address => bool) storage listed = s.paymasters[paymasterKey(sessionId, paymaster)];
            if (paymaster == address(0) || listed[msg.sender]) revert ISessionKeyValidator.SessionPaymasterInvalid(paymaster);
            listed[msg.sender] = true;
            flags |= PolicyFlags.SESSION_PAYMASTERS;
        }
        if (config.gasBudget == _NO_LIMIT) {
            flags |= PolicyFlags.SESSION_GAS_UNLIMITED;
        } else {
            if (config.gasBudget > type(uint104).max) revert ISessionKeyValidator.SessionLimitTooLarge(address(0), config.gasBudget);
            session.gasLeft = uint104(config.gasBudget);
        }
        session.validAfter = config.validAfter;
        session.validUntil = config.validUntil;
        session.epoch = revocationCount(s, msg.sender);
        session.status = STATUS_ACTIVE;
        session.enabled = config.enabled;
        session.flags = flags;
        emit ISessionKeyValidator.SessionCreated(
            msg.sender,
            sessionId,
            config.sessionKey,
            config.validAfter,
            config.validUntil,
            config.enabled
        );
    }

    /// @dev Returns the session flags the permission needs (SESSION_RECURRING, SESSION_ANY_TARGET).
    function _storePermission(
        SessionStore storage s,
        bytes32 sessionId,
        Permission memory permission
    ) private returns (uint8 sessionFlags) {
        address target = permission.target;
        if (permission.flags & PolicyFlags.PERMISSION_ANY_TARGET != 0) {
            _checkAnyTarget(permission);
            sessionFlags = PolicyFlags.SESSION_ANY_TARGET;
        } else if (target == address(0) || target == msg.sender || target == address(this)) {
            revert ISessionKeyValidator.SessionTargetForbidden(target);
        }
        bool emptyCalldata = permission.flags & PolicyFlags.PERMISSION_EMPTY_CALLDATA != 0;
        if (permission.selectors.length == 0 && !emptyCalldata) revert ISessionKeyValidator.SessionNoSelectors(target);
        TargetPolicy storage policy = s.targets[targetKey(sessionId, target)][msg.sender];
        if (policy.flags != 0) revert ISessionKeyValidator.SessionDuplicateTarget(target);

        uint256 flags = PolicyFlags.TARGET_PERMITTED;
        if (emptyCalldata) flags |= PolicyFlags.TARGET_EMPTY_CALLDATA;
        if (permission.flags & PolicyFlags.PERMISSION_DELEGATECALL != 0) flags |= PolicyFlags.TARGET_DELEGATECALL;
        if (permission.flags & PolicyFlags.PERMISSION_TRY_MODE != 0) flags |= PolicyFlags.TARGET_TRY_MODE;
        if (permission.tokenLimit != _NO_LIMIT) {
            if (permission.tokenLimit > type(uint120).max) revert ISessionKeyValidator.SessionLimitTooLarge(target, permission.tokenLimit);
            flags |= PolicyFlags.TARGET_TOKEN_LIMITED;
            policy.tokenLimit = uint120(permission.tokenLimit);
        }
        if (permission.valueLimitPerCall != 0 && permission.valueLimitTotal != 0) {
            flags |= PolicyFlags.TARGET_VALUE;
            if (permission.valueLimitPerCall != _NO_LIMIT) {
                if (permission.valueLimitPerCall > type(uint128).max) {
                    revert ISessionKeyValidator.SessionLimitTooLarge(target, permission.valueLimitPerCall);
                }
                flags |= PolicyFlags.TARGET_VALUE_PER_CALL_LIMITED;
                policy.valueLimitPerCall = uint128(permission.valueLimitPerCall);
            }
            if (permission.valueLimitTotal != _NO_LIMIT) {
                if (permission.valueLimitTotal > type(uint128).max) {
                    revert ISessionKeyValidator.SessionLimitTooLarge(target, permission.valueLimitTotal);
                }
                flags |= PolicyFlags.TARGET_VALUE_TOTAL_LIMITED;
                policy.valueLimitTotal = uint128(permission.valueLimitTotal);
            }
        }
        if (permission.maxUses != _NO_LIMIT) {
            if (permission.maxUses > type(uint64).max) revert ISessionKeyValidator.SessionLimitTooLarge(target, permission.maxUses);
            flags |= PolicyFlags.TARGET_USES_LIMITED;
            policy.maxUses = uint64(permission.maxUses);
        }
        bool tokenCounted = flags & PolicyFlags.TARGET_TOKEN_LIMITED != 0;
        if (_isSet(permission.recurring)) {
            sessionFlags |= PolicyFlags.SESSION_RECURRING;
            if (_storeRecurrence(target, permission.recurring, policy)) tokenCounted = true;
        }
        for (uint256 j = 0; j < permission.selectors.length; ++j) {
            bytes4 selector = permission.selectors[j];
            uint256 tokenFlag = TokenCallLib.flagOf(selector);
            if (tokenFlag != 0) {
                flags |= tokenFlag;
            } else {
                // A token limit counts only the token functions: any other method beside it
                // could move tokens uncounted while the owner was shown "at most N in total".
                if (tokenCounted) revert ISessionKeyValidator.SessionTokenLimitUncountable(target, selector);
                flags |= PolicyFlags.TARGET_OTHER_SELECTORS;
                s.selectors[selectorKey(sessionId, target, selector)][msg.sender].allowed = true;
            }
        }
        uint256 ruleCount = permission.rules.length;
        if (ruleCount != 0) flags = _storeRules(s, sessionId, target, flags, permission.rules, policy);
        policy.flags = uint16(flags);
    }

    /// @dev An any-destination permission: target 0, no other call type, no native value, no
    /// recurrence, and an argument rule on every method (what bounds it on any contract).
    function _checkAnyTarget(Permission memory permission) private pure {
        if (permission.target != address(0) || permission.flags != PolicyFlags.PERMISSION_ANY_TARGET) {
            revert ISessionKeyValidator.SessionAnyTargetInvalid(1, 0);
        }
        if (permission.valueLimitPerCall != 0 || permission.valueLimitTotal != 0) {
            revert ISessionKeyValidator.SessionAnyTargetInvalid(2, 0);
        }
        if (_isSet(permission.recurring)) revert ISessionKeyValidator.SessionAnyTargetInvalid(3, 0);
        for (uint256 j = 0; j < permission.selectors.length; ++j) {
            bytes4 selector = permission.selectors[j];
            bool ruled;
            for (uint256 k = 0; k < permission.rules.length && !ruled; ++k) {
                ruled = permission.rules[k].selector == selector;
            }
            if (!ruled) revert ISessionKeyValidator.SessionAnyTargetInvalid(4, selector);
        }
    }

    /// @dev Whether any field of a recurrence is set.
    function _isSet(Recurrence memory r) private pure returns (bool) {
        return r.period != 0 || r.start != 0 || r.tokenLimit != 0 || r.valueLimit != 0 || r.maxUses != 0;
    }

    /// @dev Stores a permission's recurring limits (slot 4's layout is in TargetPolicy).
    /// Returns whether a token amount per period is limited.
    function _storeRecurrence(
        address target,
        Recurrence memory recurrence,
        TargetPolicy storage policy
    ) private returns (bool tokenLimited) {
        if (recurrence.period == 0) revert ISessionKeyValidator.SessionRecurrenceInvalid(target, 1);
        if (recurrence.start == 0) revert ISessionKeyValidator.SessionRecurrenceInvalid(target, 2);
        uint256 flags;
        uint256 maxUses;
        if (recurrence.tokenLimit != _NO_LIMIT) {
            if (recurrence.tokenLimit > type(uint120).max) revert ISessionKeyValidator.SessionLimitTooLarge(target, recurrence.tokenLimit);
            flags |= PolicyFlags.PERIOD_TOKEN_LIMITED;
            policy.periodTokenLimit = uint120(recurrence.tokenLimit);
            tokenLimited = true;
        }
        if (recurrence.valueLimit != _NO_LIMIT) {
            if (recurrence.valueLimit > type(uint128).max) revert ISessionKeyValidator.SessionLimitTooLarge(target, recurrence.valueLimit);
            flags |= PolicyFlags.PERIOD_VALUE_LIMITED;
            policy.periodValueLimit = uint128(recurrence.valueLimit);
        }
        if (recurrence.maxUses != _NO_LIMIT) {
            if (recurrence.maxUses > type(uint56).max) revert ISessionKeyValidator.SessionLimitTooLarge(target, recurrence.maxUses);
            flags |= PolicyFlags.PERIOD_USES_LIMITED;
            maxUses = recurrence.maxUses;
        }
        if (flags == 0) revert ISessionKeyValidator.SessionRecurrenceInvalid(target, 3);
        policy.period = uint256(recurrence.start) | (uint256(recurrence.period) << 48) | (flags << 128) | (maxUses << 136);
    }

    /// @dev Stores a permission's rules; a destination's only token-function rule, if narrow,
    /// goes inline (one read when checked). Returns the target flags with the rules' bits.
    function _storeRules(
        SessionStore storage s,
        bytes32 sessionId,
        address target,
        uint256 flags,
        ArgRule[] memory rules,
        TargetPolicy storage policy
    ) private returns (uint256) {
        uint256 tokenRules = 0;
        uint256 last = 0;
        for (uint256 k = 0; k < rules.length; ++k) {
            if (TokenCallLib.flagOf(rules[k].selector) != 0) {
                ++tokenRules;
                last = k;
            }
        }
        for (uint256 k = 0; k < rules.length; ++k) {
            ArgRule memory rule = rules[k];
            if (
                tokenRules == 1 &&
                k == last &&
                rule.condition < PolicyFlags.ONE_OF && // a list, or a sum (its total needs a slot), is never inline
                rule.bits <= PolicyFlags.INLINE_RULE_MAX_BITS
            ) {
                policy.tokenRule = _inlineRule(target, flags, rule);
                flags |= PolicyFlags.TARGET_TOKEN_RULE_INLINE;
            } else {
                flags |= _storeRule(s, sessionId, target, flags, rule);
            }
        }
        return flags;
    }

    /// @dev The word of an inline token rule (see TargetPolicy), after the checks every rule gets.
    function _inlineRule(address target, uint256 flags, ArgRule memory rule) private pure returns (uint256) {
        bytes4 selector = rule.selector;
        if (flags & TokenCallLib.flagOf(selector) == 0) revert ISessionKeyValidator.SessionRuleInvalid(target, selector, 1);
        _checkRuleShape(target, rule);
        return
            (uint256(uint32(selector)) << 224) |
            (uint256(rule.condition) << 216) |
            (uint256(rule.word) << 208) |
            (uint256(rule.bits) << 192) |
            uint256(rule.values[0]);
    }

    /// @dev A known condition, one value (1 to 4 for ONE_OF; a SUM_LTE's is its limit, its
    /// running total starts at 0 in the second), a width in whole bytes, values that fit in it.
    function _checkRuleShape(address target, ArgRule memory rule) private pure {
        bytes4 selector = rule.selector;
        if (rule.condition > PolicyFlags.SUM_LTE) revert ISessionKeyValidator.SessionRuleInvalid(target, selector, 3);
        uint256 count = rule.values.length;
        bool oneOf = rule.condition == PolicyFlags.ONE_OF;
        if (oneOf ? count == 0 || count > PolicyFlags.MAX_ONE_OF_VALUES : count != 1) {
            revert ISessionKeyValidator.SessionRuleInvalid(target, selector, 4);
        }
        if (rule.bits == 0 || rule.bits > 256 || rule.bits % 8 != 0) revert ISessionKeyValidator.SessionRuleInvalid(target, selector, 5);
        for (uint256 j = 0; j < count; ++j) {
            if (rule.bits < 256 && uint256(rule.values[j]) >> rule.bits != 0) {
                revert ISessionKeyValidator.SessionRuleInvalid(target, selector, 6);
            }
        }
    }

    /// @dev Stores one argument rule; returns TARGET_TOKEN_RULES when it is on a token function.
    function _storeRule(
        SessionStore storage s,
        bytes32 sessionId,
        address target,
        uint256 flags,
        ArgRule memory rule
    ) private returns (uint256) {
        bytes4 selector = rule.selector;
        uint256 tokenFlag = TokenCallLib.flagOf(selector);
        SelectorPolicy storage policy = s.selectors[selectorKey(sessionId, target, selector)][msg.sender];
        if (tokenFlag != 0 ? flags & tokenFlag == 0 : !policy.allowed) revert ISessionKeyValidator.SessionRuleInvalid(target, selector, 1);
        uint256 index = policy.ruleCount;
        if (index >= PolicyFlags.MAX_RULES_PER_SELECTOR) revert ISessionKeyValidator.SessionRuleInvalid(target, selector, 2);
        _checkRuleShape(target, rule);
        uint256 count = rule.values.length;
        StoredRule storage stored = policy.rules[index];
        for (uint256 j = 0; j < count; ++j) {
            stored.values[j] = rule.values[j];
        }
        stored.condition = rule.condition;
        stored.word = rule.word;
        stored.bits = rule.bits;
        stored.count = uint8(count);
        policy.ruleCount = uint8(index + 1);
        return tokenFlag != 0 ? PolicyFlags.TARGET_TOKEN_RULES : 0;
    }

    /// @dev How many times `account` revoked all its sessions: the epoch's high 32 bits.
    function revocationCount(SessionStore storage s, address account) internal view returns (uint32) {
        return uint32(s.epochs[account] >> 96);
    }

    /// @dev keccak256(a ‖ b) in the scratch space (no memory allocation).
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            hash := keccak256(0x00, 0x40)
        }
    }

    /// @dev The key of a session's record for `target` (the account is the inner key).
    function targetKey(bytes32 sessionId, address target) internal pure returns (bytes32) {
        return hashPair(sessionId, bytes32(uint256(uint160(target))));
    }

    /// @dev The key of a session's record for `selector` on `target`.
    function selectorKey(bytes32 sessionId, address target, bytes4 selector) internal pure returns (bytes32) {
        return keccak256(abi.encode(sessionId, target, selector));
    }

    /// @dev The key of a session's listing of `paymaster`.
    function paymasterKey(bytes32 sessionId, address paymaster) internal pure returns (bytes32) {
        return hashPair(sessionId, bytes32(uint256(uint160(paymaster))));
    }
}
