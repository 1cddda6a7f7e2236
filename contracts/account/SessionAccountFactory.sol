// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {SessionAccount} from "./SessionAccount.sol";

/// @title SessionAccountFactory
/// @notice Deploys {SessionAccount} clones at addresses that depend only on the owner and
/// a salt, so an account's address is known before it exists (ERC-4337 `initCode`).
contract SessionAccountFactory {
    /// @notice The owner is the zero address.
    error FactoryOwnerInvalid();

    /// @notice An account was deployed for `owner`.
    event AccountCreated(address indexed account, address indexed owner, bytes32 salt);

    /// @notice The account implementation every clone delegates to.
    SessionAccount public immutable implementation;

    constructor() {
        implementation = new SessionAccount();
    }

    /// @notice Deploys the account of `owner` and `salt`, or returns it if it exists.
    /// @dev Returning the existing address (instead of reverting) lets the EntryPoint and
    /// bundlers call this from `initCode` safely.
    /// @return account The account's address.
    function createAccount(address owner, bytes32 salt) external returns (address account) {
        if (owner == address(0)) revert FactoryOwnerInvalid();
        bytes32 cloneSalt = _cloneSalt(owner, salt);
        account = Clones.predictDeterministicAddress(address(implementation), cloneSalt);
        if (account.code.length != 0) return account;
        Clones.cloneDeterministic(address(implementation), cloneSalt);
        SessionAccount(payable(account)).initialize(owner);
        emit AccountCreated(account, owner, salt);
    }

    /// @notice The address `createAccount(owner, salt)` deploys to.
    function getAddress(address owner, bytes32 salt) external view returns (address) {
        return Clones.predictDeterministicAddress(address(implementation), _cloneSalt(owner, salt));
    }

    function _cloneSalt(address owner, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(owner, salt));
    }
}
