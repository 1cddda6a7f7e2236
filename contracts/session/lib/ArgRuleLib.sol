// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SelectorPolicy, StoredRule} from "../DataTypes.sol";
import {PolicyFlags} from "./PolicyFlags.sol";

/// @title ArgRuleLib
/// @notice Checks the argument rules of one selector against a call's calldata.
library ArgRuleLib {
    /// @notice Index of the first rule broken, or `type(uint256).max` when all hold.
    /// @dev A rule on word `w` needs calldata of at least 4 + 32 (w + 1) bytes: shorter
    /// calldata breaks the rule (it is never read past its end). A word with bits set above
    /// the rule's width breaks it too.
    function firstBroken(SelectorPolicy storage policy, bytes calldata data) internal view returns (uint256) {
        uint256 count = policy.ruleCount;
        for (uint256 i = 0; i < count; ++i) {
            if (!_holds(policy.rules[i], data)) return i;
        }
        return type(uint256).max;
    }

    function _holds(StoredRule storage rule, bytes calldata data) private view returns (bool) {
        uint256 start = 4 + uint256(rule.word) * 32;
        if (data.length < start + 32) return false;
        uint256 value = uint256(bytes32(data[start:start + 32]));
        uint256 bits = rule.bits;
        if (bits < 256 && value >> bits != 0) return false;
        uint8 condition = rule.condition;
        if (condition == PolicyFlags.ONE_OF) {
            uint256 count = rule.count;
            for (uint256 j = 0; j < count; ++j) {
                if (value == uint256(rule.values[j])) return true;
            }
            return false;
        }
        uint256 bound = uint256(rule.values[0]);
        if (condition == PolicyFlags.EQ) return value == bound;
        if (condition == PolicyFlags.NEQ) return value != bound;
        if (condition == PolicyFlags.LT) return value < bound;
        if (condition == PolicyFlags.LTE) return value <= bound;
        if (condition == PolicyFlags.GT) return value > bound;
        if (condition == PolicyFlags.GTE) return value >= bound;
        return false;
    }
}
