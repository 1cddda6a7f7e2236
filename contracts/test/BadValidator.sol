// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";

/// @title BadValidator
/// @notice A validator that breaks ERC-7562 on purpose (reads TIMESTAMP and a global slot),
/// for tests only: it proves the ERC-7562 check catches what it must.
contract BadValidator {
    /// @notice A global counter: not associated with any account.
    uint256 public counter;

    /// @notice Accepts any installation.
    function onInstall(bytes calldata) external {}

    /// @notice Accepts any uninstallation.
    function onUninstall(bytes calldata) external {}

    /// @notice A validator (type 1).
    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == 1;
    }

    /// @notice Validates every operation, reading the block time and a global slot.
    function validateUserOp(PackedUserOperation calldata, bytes32) external returns (uint256) {
        counter += block.timestamp > 0 ? 1 : 0;
        return 0;
    }

    /// @notice Never signs messages.
    function isValidSignatureWithSender(address, bytes32, bytes calldata) external pure returns (bytes4) {
        return 0xffffffff;
    }
}
