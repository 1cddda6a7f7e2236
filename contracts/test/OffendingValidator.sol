// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";

/// @title OffendingValidator
/// @notice A validator that breaks one ERC-7562 rule per mode, chosen by the first byte of the
/// operation's signature. Tests only: each mode proves the ERC-7562 check catches that rule.
/// 1 OP-041 EXTCODEHASH of an address without code · 2 OP-041 call to an address without code
/// · 3 OP-054 EntryPoint access · 4 OP-061 call with value · 5 OP-062 a disallowed precompile
/// · 6 OP-070 unassociated transient storage · 7 OP-080 SELFBALANCE.
contract OffendingValidator {
    address private constant _ENTRY_POINT = 0x0000000071727De22E5E9d8BAf0edAc6f37da032;
    address private constant _NO_CODE = address(0xdead);

    /// @notice Accepts any installation.
    function onInstall(bytes calldata) external {}

    /// @notice Accepts any uninstallation.
    function onUninstall(bytes calldata) external {}

    /// @notice A validator (type 1).
    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == 1;
    }

    /// @notice Breaks the rule the signature's first byte names, then accepts the operation.
    function validateUserOp(PackedUserOperation calldata userOp, bytes32) external returns (uint256 result) {
        uint8 mode = userOp.signature.length > 0 ? uint8(userOp.signature[0]) : 0;
        if (mode == 1) {
            if (_NO_CODE.codehash == bytes32(uint256(1))) result = 2;
        } else if (mode == 2) {
            (bool ok, ) = _NO_CODE.staticcall("");
            result = ok ? 0 : 0;
        } else if (mode == 3) {
            (bool ok, ) = _ENTRY_POINT.staticcall(abi.encodeWithSignature("getNonce(address,uint192)", msg.sender, 0));
            result = ok ? 0 : 0;
        } else if (mode == 4) {
            (bool ok, ) = address(this).call{value: 1}("");
            result = ok ? 0 : 0;
        } else if (mode == 5) {
            (bool ok, ) = address(0x0a).staticcall("");
            result = ok ? 0 : 0;
        } else if (mode == 6) {
            assembly {
                tstore(1, 1)
            }
        } else if (mode == 7) {
            if (address(this).balance == 12345) result = 2;
        }
    }

    /// @notice Never signs messages.
    function isValidSignatureWithSender(address, bytes32, bytes calldata) external pure returns (bytes4) {
        return 0xffffffff;
    }

    /// @notice Takes plain payments (for mode 4).
    receive() external payable {}
}
