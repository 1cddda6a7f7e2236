// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @title OwnerKeyValidator
/// @notice Tests only: the owner's validator of another vendor's ERC-7579 account (one ECDSA
/// key per account, set on install), so that the account confirms its owner's signatures
/// (ERC-1271, `validator ‖ signature`) in that account's own format, as a wallet's validator does.
contract OwnerKeyValidator {
    /// @notice The owner key of each account that installed this validator.
    mapping(address account => address owner) public owners;

    /// @notice Sets the calling account's owner key: `data` is `abi.encode(owner)`.
    function onInstall(bytes calldata data) external {
        owners[msg.sender] = abi.decode(data, (address));
    }

    /// @notice Forgets the calling account's owner key.
    function onUninstall(bytes calldata) external {
        delete owners[msg.sender];
    }

    /// @notice ERC-7579: a validator.
    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == 1;
    }

    /// @notice Whether the account set an owner key.
    function isInitialized(address account) external view returns (bool) {
        return owners[account] != address(0);
    }

    /// @notice Valid (0) when the owner key signed the operation's hash as a personal message.
    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash) external view returns (uint256) {
        (address signer,,) = ECDSA.tryRecover(MessageHashUtils.toEthSignedMessageHash(userOpHash), userOp.signature);
        return signer != address(0) && signer == owners[msg.sender] ? 0 : 1;
    }

    /// @notice ERC-1271 for the calling account: valid when its owner key signed `hash` itself.
    function isValidSignatureWithSender(address, bytes32 hash, bytes calldata signature)
        external
        view
        returns (bytes4)
    {
        (address signer,,) = ECDSA.tryRecover(hash, signature);
        return signer != address(0) && signer == owners[msg.sender] ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}
