// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Account} from "@openzeppelin/contracts/account/Account.sol";
import {AccountERC7579} from "@openzeppelin/contracts/account/extensions/draft-AccountERC7579.sol";
import {ERC4337Utils} from "@openzeppelin/contracts/account/utils/ERC4337Utils.sol";
import {IEntryPoint, PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {
    IERC7579Module,
    IERC7579Validator,
    MODULE_TYPE_VALIDATOR
} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {ERC7579Utils} from "@openzeppelin/contracts/account/utils/draft-ERC7579Utils.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {AbstractSigner} from "@openzeppelin/contracts/utils/cryptography/signers/AbstractSigner.sol";
import {ERC7739} from "@openzeppelin/contracts/utils/cryptography/signers/draft-ERC7739.sol";
import {SignerECDSA} from "@openzeppelin/contracts/utils/cryptography/signers/SignerECDSA.sol";

/// @title SessionAccount
/// @notice A modular ERC-4337 (EntryPoint v0.7) smart account owned by one ECDSA key, built
/// from OpenZeppelin's `Account`, `AccountERC7579` and `SignerECDSA`. Validators such as the
/// session-key module are chosen by the 20 high bytes of the user operation's nonce key;
/// with no installed validator named there, the owner's signature is required.
/// @dev Deployed as ERC-1167 clones by {SessionAccountFactory}; the implementation itself
/// can never be initialised.
contract SessionAccount is Initializable, Account, EIP712, ERC7739, SignerECDSA, AccountERC7579 {
    /// @dev Installed validators. A plain mapping instead of OpenZeppelin's enumerable set:
    /// one storage write to install (not three), one read to check — validators are checked
    /// on every user operation, and never need to be listed on chain.
    mapping(address module => bool) private _installedValidators;

    constructor() EIP712("SessionAccount", "1") SignerECDSA(address(0)) {
        _disableInitializers();
    }

    /// @notice Sets the owner of a freshly cloned account. Called once, by the factory.
    /// @param owner The address whose signatures control the account.
    function initialize(address owner) external initializer {
        _setSigner(owner);
    }

    /// @notice The EntryPoint this account trusts: v0.7 at its canonical address.
    function entryPoint() public pure override returns (IEntryPoint) {
        return ERC4337Utils.ENTRYPOINT_V07;
    }

    /// @notice ERC-1271: an installed validator's signature (prefixed with its address),
    /// or the owner's through ERC-7739 (typed data rehashed so that it cannot be replayed
    /// on another account of the same owner).
    function isValidSignature(
        bytes32 hash,
        bytes calldata signature
    ) public view override(AccountERC7579, ERC7739) returns (bytes4) {
        bytes4 result = AccountERC7579.isValidSignature(hash, signature);
        return result == IERC1271_MAGIC ? result : ERC7739.isValidSignature(hash, signature);
    }

    /// @notice Whether `module` is installed as `moduleTypeId` (validators from this account's
    /// own mapping; executors and fallbacks as OpenZeppelin keeps them).
    function isModuleInstalled(
        uint256 moduleTypeId,
        address module,
        bytes calldata additionalContext
    ) public view override returns (bool) {
        if (moduleTypeId == MODULE_TYPE_VALIDATOR) return _installedValidators[module];
        return super.isModuleInstalled(moduleTypeId, module, additionalContext);
    }

    function _installModule(uint256 moduleTypeId, address module, bytes memory initData) internal override {
        if (moduleTypeId != MODULE_TYPE_VALIDATOR) return super._installModule(moduleTypeId, module, initData);
        require(
            IERC7579Module(module).isModuleType(moduleTypeId),
            ERC7579Utils.ERC7579MismatchedModuleTypeId(moduleTypeId, module)
        );
        require(!_installedValidators[module], ERC7579Utils.ERC7579AlreadyInstalledModule(moduleTypeId, module));
        _installedValidators[module] = true;
        IERC7579Module(module).onInstall(initData);
        emit ModuleInstalled(moduleTypeId, module);
    }

    function _uninstallModule(uint256 moduleTypeId, address module, bytes memory deInitData) internal override {
        if (moduleTypeId != MODULE_TYPE_VALIDATOR) return super._uninstallModule(moduleTypeId, module, deInitData);
        require(_installedValidators[module], ERC7579Utils.ERC7579UninstalledModule(moduleTypeId, module));
        delete _installedValidators[module];
        IERC7579Module(module).onUninstall(deInitData);
        emit ModuleUninstalled(moduleTypeId, module);
    }

    /// @dev Validator named in the nonce key if installed, else the owner. The owner signs
    /// the user operation hash as an EIP-191 personal message, which every wallet can show;
    /// validators receive the raw hash, as ERC-7579 modules expect.
    function _validateUserOp(
        PackedUserOperation calldata userOp,
        bytes32 userOpHash,
        bytes calldata signature
    ) internal override(Account, AccountERC7579) returns (uint256) {
        address module = _extractUserOpValidator(userOp);
        if (module != address(0) && _installedValidators[module]) return _callValidator(module, userOp, userOpHash);
        return
            _rawSignatureValidation(MessageHashUtils.toEthSignedMessageHash(userOpHash), signature)
                ? ERC4337Utils.SIG_VALIDATION_SUCCESS
                : ERC4337Utils.SIG_VALIDATION_FAILED;
    }

    /// @dev `module.validateUserOp(userOp, userOpHash)`. When this call's own calldata is the
    /// canonical `validateUserOp(userOp, hash, missingFunds)` (the EntryPoint's), the encoded
    /// user operation is forwarded byte for byte instead of being decoded and encoded again:
    /// the module reads exactly the bytes the EntryPoint sent. Reverts bubble up unchanged.
    function _callValidator(
        address module,
        PackedUserOperation calldata userOp,
        bytes32 userOpHash
    ) private returns (uint256 validationData) {
        if (msg.sig != this.validateUserOp.selector || uint256(bytes32(msg.data[4:36])) != 0x60) {
            return IERC7579Validator(module).validateUserOp(userOp, userOpHash);
        }
        bytes4 selector = IERC7579Validator.validateUserOp.selector;
        assembly ("memory-safe") {
            let tail := sub(calldatasize(), 0x64) // the encoded user operation, after the 3-word head
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), 0x40)
            mstore(add(ptr, 0x24), userOpHash)
            calldatacopy(add(ptr, 0x44), 0x64, tail)
            let ok := call(gas(), module, 0, ptr, add(0x44, tail), 0x00, 0x20)
            if iszero(ok) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x20) {
                revert(0, 0)
            }
            validationData := mload(0x00)
        }
    }

    function _rawSignatureValidation(
        bytes32 hash,
        bytes calldata signature
    ) internal view override(AbstractSigner, AccountERC7579, SignerECDSA) returns (bool) {
        return SignerECDSA._rawSignatureValidation(hash, signature);
    }

    bytes4 private constant IERC1271_MAGIC = 0x1626ba7e;
}
