// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";

/// @title AcceptAllValidator
/// @notice A hostile ERC-7579 validator a dapp could name as a session's module: it accepts
/// every user operation. Tests only: wallet-side SDK functions must refuse it.
contract AcceptAllValidator {
    /// @notice Accepts anything on install.
    function onInstall(bytes calldata) external {}

    /// @notice Accepts anything on uninstall.
    function onUninstall(bytes calldata) external {}

    /// @notice Accepts any session "creation".
    function createSession(bytes calldata) external {}

    /// @notice ERC-7579: a validator.
    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == 1;
    }

    /// @notice Every operation is valid, whatever it does and whoever signed it.
    function validateUserOp(PackedUserOperation calldata, bytes32) external pure returns (uint256) {
        return 0;
    }

    /// @notice Every signature is valid.
    function isValidSignatureWithSender(address, bytes32, bytes calldata) external pure returns (bytes4) {
        return 0x1626ba7e;
    }
}
