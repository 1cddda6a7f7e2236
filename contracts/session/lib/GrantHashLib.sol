// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ArgRule, Permission, Recurrence, SessionConfig} from "../DataTypes.sol";

/// @title GrantHashLib
/// @notice EIP-712 struct hashes of an off-chain session grant, so that a wallet shows the
/// owner every field of the session it signs (see src/session/grant.ts for the same types).
/// @dev Types, as EIP-712 encodes them (referenced types sorted by name):
/// SessionGrant(address account,uint128 epoch,uint48 enableBefore,SessionTerms terms)
/// SessionTerms(address sessionKey,bytes32 salt,uint48 validAfter,uint48 validUntil,bool enabled,
///   address[] paymasters,uint256 gasBudget,SessionPermission[] permissions)
/// SessionPermission(address target,bytes4[] selectors,uint256 tokenLimit,uint256 valueLimitPerCall,
///   uint256 valueLimitTotal,uint256 maxUses,uint8 flags,SessionRule[] rules,SessionRecurrence recurring)
/// SessionRecurrence(uint48 start,uint32 period,uint256 tokenLimit,uint256 valueLimit,uint256 maxUses)
/// SessionRule(bytes4 selector,uint8 word,uint8 condition,uint16 bits,bytes32[] values)
/// The primary type sorts before every type it references: ERC-7739 (which the account uses
/// to check the owner's signature) rebuilds the type string with the primary type first,
/// and that equals the EIP-712 string only in this order.
library GrantHashLib {
    bytes internal constant _ARG_RULE =
        "SessionRule(bytes4 selector,uint8 word,uint8 condition,uint16 bits,bytes32[] values)";
    bytes internal constant _PERMISSION =
        "SessionPermission(address target,bytes4[] selectors,uint256 tokenLimit,uint256 valueLimitPerCall,uint256 valueLimitTotal,uint256 maxUses,uint8 flags,SessionRule[] rules,SessionRecurrence recurring)";
    bytes internal constant _RECURRENCE =
        "SessionRecurrence(uint48 start,uint32 period,uint256 tokenLimit,uint256 valueLimit,uint256 maxUses)";
    bytes internal constant _SESSION_CONFIG =
        "SessionTerms(address sessionKey,bytes32 salt,uint48 validAfter,uint48 validUntil,bool enabled,address[] paymasters,uint256 gasBudget,SessionPermission[] permissions)";
    bytes internal constant _SESSION_GRANT =
        "SessionGrant(address account,uint128 epoch,uint48 enableBefore,SessionTerms terms)";

    bytes32 internal constant ARG_RULE_TYPEHASH = keccak256(_ARG_RULE);
    bytes32 internal constant RECURRENCE_TYPEHASH = keccak256(_RECURRENCE);
    bytes32 internal constant PERMISSION_TYPEHASH = keccak256(abi.encodePacked(_PERMISSION, _RECURRENCE, _ARG_RULE));
    bytes32 internal constant SESSION_CONFIG_TYPEHASH =
        keccak256(abi.encodePacked(_SESSION_CONFIG, _PERMISSION, _RECURRENCE, _ARG_RULE));
    bytes32 internal constant SESSION_GRANT_TYPEHASH =
        keccak256(abi.encodePacked(_SESSION_GRANT, _PERMISSION, _RECURRENCE, _ARG_RULE, _SESSION_CONFIG));

    /// @notice hashStruct(SessionGrant) for `account` at revocation `epoch`, usable to create
    /// the session until `enableBefore`.
    function hashGrant(
        address account,
        uint128 epoch,
        uint48 enableBefore,
        SessionConfig memory config
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(SESSION_GRANT_TYPEHASH, account, epoch, enableBefore, hashConfig(config)));
    }

    function hashConfig(SessionConfig memory config) internal pure returns (bytes32) {
        bytes32[] memory permissions = new bytes32[](config.permissions.length);
        for (uint256 i = 0; i < permissions.length; ++i) {
            permissions[i] = _hashPermission(config.permissions[i]);
        }
        bytes32[] memory paymasters = new bytes32[](config.paymasters.length);
        for (uint256 i = 0; i < paymasters.length; ++i) {
            paymasters[i] = bytes32(uint256(uint160(config.paymasters[i])));
        }
        return
            keccak256(
                abi.encode(
                    SESSION_CONFIG_TYPEHASH,
                    config.sessionKey,
                    config.salt,
                    config.validAfter,
                    config.validUntil,
                    config.enabled,
                    keccak256(abi.encodePacked(paymasters)),
                    config.gasBudget,
                    keccak256(abi.encodePacked(permissions))
                )
            );
    }

    function _hashPermission(Permission memory permission) private pure returns (bytes32) {
        bytes32[] memory selectors = new bytes32[](permission.selectors.length);
        for (uint256 i = 0; i < selectors.length; ++i) {
            selectors[i] = bytes32(permission.selectors[i]);
        }
        bytes32[] memory rules = new bytes32[](permission.rules.length);
        for (uint256 i = 0; i < rules.length; ++i) {
            rules[i] = _hashRule(permission.rules[i]);
        }
        return
            keccak256(
                abi.encode(
                    PERMISSION_TYPEHASH,
                    permission.target,
                    keccak256(abi.encodePacked(selectors)),
                    permission.tokenLimit,
                    permission.valueLimitPerCall,
                    permission.valueLimitTotal,
                    permission.maxUses,
                    permission.flags,
                    keccak256(abi.encodePacked(rules)),
                    _hashRecurrence(permission.recurring)
                )
            );
    }

    function _hashRecurrence(Recurrence memory recurrence) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    RECURRENCE_TYPEHASH,
                    recurrence.start,
                    recurrence.period,
                    recurrence.tokenLimit,
                    recurrence.valueLimit,
                    recurrence.maxUses
                )
            );
    }

    function _hashRule(ArgRule memory rule) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    ARG_RULE_TYPEHASH,
                    rule.selector,
                    rule.word,
                    rule.condition,
                    rule.bits,
                    keccak256(abi.encodePacked(rule.values))
                )
            );
    }
}
