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

    /// @notice Records a call with an address, a uint8 and a bool argument (for argument rules).
    function mark(address who, uint8 level, bool on) external payable {
        calls[msg.sender] += 1;
        emit Called(msg.sender, msg.sig, msg.value, uint256(uint160(who)) ^ level ^ (on ? 1 : 0));
    }

    /// @notice A router-like call: moves `amount` of `token` from `from` to `to` with an
    /// allowance `from` gave this contract earlier (for the "not guaranteed" tests).
    function pull(address token, address from, address to, uint256 amount) external {
        (bool ok, ) = token.call(abi.encodeWithSignature("transferFrom(address,address,uint256)", from, to, amount));
        require(ok, "TestTarget: pull failed");
    }

    /// @notice Always reverts.
    function fail() external pure {
        revert("TestTarget: fail");
    }
}
