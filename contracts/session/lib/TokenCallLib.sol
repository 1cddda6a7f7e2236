// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ExecutionLib} from "./ExecutionLib.sol";

/// @title TokenCallLib
/// @notice The ERC-20 functions whose amounts count against a session's token limit. Each is
/// one bit in the destination's policy word, so an ERC-20 call is checked with a single
/// storage read.
library TokenCallLib {
    bytes4 internal constant TRANSFER = 0xa9059cbb; // transfer(address,uint256)
    bytes4 internal constant APPROVE = 0x095ea7b3; // approve(address,uint256)
    bytes4 internal constant TRANSFER_FROM = 0x23b872dd; // transferFrom(address,address,uint256)
    bytes4 internal constant INCREASE_ALLOWANCE = 0x39509351; // increaseAllowance(address,uint256)

    /// @notice The policy bit of a token function (see PolicyFlags), or 0 for any other selector.
    function flagOf(bytes4 selector) internal pure returns (uint256) {
        if (selector == TRANSFER) return 1 << 3;
        if (selector == APPROVE) return 1 << 4;
        if (selector == TRANSFER_FROM) return 1 << 5;
        if (selector == INCREASE_ALLOWANCE) return 1 << 6;
        return 0;
    }

    /// @notice The amount a token call moves, read from its exact ABI shape.
    /// @dev `transfer`, `approve` and `increaseAllowance` are `(address, uint256)`: exactly 68
    /// bytes. `transferFrom` is `(address, address, uint256)`: exactly 100 bytes. Address words
    /// must have clean upper bits. Anything else is refused (`ok = false`), so the token never
    /// decodes an amount the policy did not count.
    function amountOf(bytes4 selector, bytes calldata data) internal pure returns (bool ok, uint256 amount) {
        // Lengths are checked first: every word read below lies inside `data`.
        if (selector == TRANSFER_FROM) {
            if (data.length != 100) return (false, 0);
            if (ExecutionLib._word(data, 4) >> 160 != 0 || ExecutionLib._word(data, 36) >> 160 != 0) return (false, 0);
            return (true, ExecutionLib._word(data, 68));
        }
        if (data.length != 68 || ExecutionLib._word(data, 4) >> 160 != 0) return (false, 0);
        return (true, ExecutionLib._word(data, 36));
    }
}
