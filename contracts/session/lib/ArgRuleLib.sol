// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SelectorPolicy, StoredRule} from "../DataTypes.sol";
import {PolicyFlags} from "./PolicyFlags.sol";

/// @title ArgRuleLib
/// @notice Checks the argument rules of one selector against a call's calldata.
library ArgRuleLib {
    /// @notice Index of the first rule broken, or `type(uint256).max` when all hold. A
    /// cumulative-sum rule (SUM_LTE) that holds adds the argument to its running total.
    /// @dev A rule on word `w` needs calldata of at least 4 + 32 (w + 1) bytes: shorter
    /// calldata breaks the rule (it is never read past its end). A word with bits set above
    /// the rule's width breaks it too. A broken rule reverts the validation, and with it every
    /// total added before it.
    function firstBroken(SelectorPolicy storage policy, bytes calldata data) internal returns (uint256) {
        uint256 count = policy.ruleCount;
        for (uint256 i = 0; i < count; ++i) {
            StoredRule storage rule = policy.rules[i];
            uint8 condition = rule.condition;
            bool held;
            if (condition == PolicyFlags.SUM_LTE) held = _addToSum(rule, data);
            else if (condition == PolicyFlags.ONE_OF) held = _isOneOf(rule, data);
            else held = holds(condition, rule.word, rule.bits, uint256(rule.values[0]), data);
            if (!held) return i;
        }
        return type(uint256).max;
    }

    function _isOneOf(StoredRule storage rule, bytes calldata data) private view returns (bool) {
        (bool ok, uint256 value) = argument(rule.word, rule.bits, data);
        if (!ok) return false;
        uint256 count = rule.count;
        for (uint256 j = 0; j < count; ++j) {
            if (value == uint256(rule.values[j])) return true;
        }
        return false;
    }

    /// @dev SUM_LTE: the argument plus the total so far (`values[1]`) within the limit (`values[0]`).
    function _addToSum(StoredRule storage rule, bytes calldata data) private returns (bool) {
        (bool ok, uint256 value) = argument(rule.word, rule.bits, data);
        if (!ok) return false;
        uint256 total = uint256(rule.values[1]);
        if (value > uint256(rule.values[0]) - total) return false;
        rule.values[1] = bytes32(total + value);
        return true;
    }

    /// @notice Whether the argument at `word` is present, clean above `bits`, and compares
    /// with `bound` as `condition` (any condition but ONE_OF) says.
    function holds(
        uint256 condition,
        uint256 word,
        uint256 bits,
        uint256 bound,
        bytes calldata data
    ) internal pure returns (bool) {
        (bool ok, uint256 value) = argument(word, bits, data);
        return ok && compare(condition, value, bound);
    }

    /// @notice `value` compared with `bound` as `condition` says (unsigned; false for ONE_OF,
    /// which compares with a list, and SUM_LTE, which counts).
    function compare(uint256 condition, uint256 value, uint256 bound) internal pure returns (bool) {
        if (condition == PolicyFlags.EQ) return value == bound;
        if (condition == PolicyFlags.NEQ) return value != bound;
        if (condition == PolicyFlags.LT) return value < bound;
        if (condition == PolicyFlags.LTE) return value <= bound;
        if (condition == PolicyFlags.GT) return value > bound;
        if (condition == PolicyFlags.GTE) return value >= bound;
        return false;
    }

    /// @notice The static argument at `word` after the selector; `ok` is false when the
    /// calldata ends before it or it has bits set above its width.
    /// `word` and `bits` come from a stored rule (below 2^16): the arithmetic cannot overflow.
    function argument(uint256 word, uint256 bits, bytes calldata data) internal pure returns (bool ok, uint256 value) {
        assembly ("memory-safe") {
            let start := add(4, shl(5, word))
            if iszero(lt(data.length, add(start, 32))) {
                value := calldataload(add(data.offset, start))
                // A shift by 256 or more gives 0: a full-width argument is always clean.
                ok := iszero(shr(bits, value))
            }
        }
    }
}
