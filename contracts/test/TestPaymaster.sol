// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";

/// @title TestPaymaster
/// @notice A paymaster that sponsors every operation from its EntryPoint deposit, keeping no
/// state (ERC-7562-clean when unstaked). Tests only: it lets a session's paymaster list and
/// its gas budget be exercised with a paymaster that really pays.
contract TestPaymaster {
    address private constant _ENTRY_POINT = 0x0000000071727De22E5E9d8BAf0edAc6f37da032;

    /// @notice Sponsors anything; no context, so no postOp.
    function validatePaymasterUserOp(
        PackedUserOperation calldata,
        bytes32,
        uint256
    ) external view returns (bytes memory context, uint256 validationData) {
        require(msg.sender == _ENTRY_POINT, "TestPaymaster: not the EntryPoint");
        return ("", 0);
    }

    /// @notice Never called (no context is returned).
    function postOp(uint8, bytes calldata, uint256, uint256) external pure {}

    /// @notice Adds `msg.value` to this paymaster's EntryPoint deposit.
    function deposit() external payable {
        (bool ok, ) = _ENTRY_POINT.call{value: msg.value}(abi.encodeWithSignature("depositTo(address)", address(this)));
        require(ok, "TestPaymaster: deposit failed");
    }
}
