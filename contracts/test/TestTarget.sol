// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title TestTarget
/// @notice A contract with a few functions that record their calls, for tests only.
contract TestTarget {
    /// @notice Emitted on every recorded call.
    event Called(address indexed sender, bytes4 selector, uint256 value, uint256 number);

    /// @notice How many calls each sender made.
    mapping(address sender => uint256) public calls;

    /// @notice Records a call with a number argument.
    function ping(uint256 number) external payable {
        calls[msg.sender] += 1;
        emit Called(msg.sender, msg.sig, msg.value, number);
    }

    /// @notice Records a call with no argument.
    function poke() external payable {
        calls[msg.sender] += 1;
        emit Called(msg.sender, msg.sig, msg.value, 0);
    }

    /// @notice Always reverts.
    function fail() external pure {
        revert("TestTarget: fail");
    }
}
