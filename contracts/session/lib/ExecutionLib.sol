// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ExecutionLib
/// @notice Reads the calls a user operation will execute, exactly as the account will
/// decode them, and refuses every encoding that is not the canonical one.
/// @dev The account runs `execute(bytes32 mode, bytes executionCalldata)` (ERC-7579). A
/// permissive decoder could read one call while the account executes another (offsets
/// that point elsewhere, overlapping elements, trailing data). Accepting only the single
/// canonical ABI encoding makes "what the policy reads" and "what the account runs" the
/// same bytes. Every function returns `ok = false` instead of reverting, so the caller
/// decides which error to raise.
library ExecutionLib {
    /// @dev `execute(bytes32,bytes)` of ERC-7579.
    bytes4 internal constant EXECUTE_SELECTOR = 0xe9ae5c53;
    /// @dev ERC-7579 call types (mode byte 0).
    uint8 internal constant CALLTYPE_SINGLE = 0x00;
    uint8 internal constant CALLTYPE_BATCH = 0x01;
    uint8 internal constant CALLTYPE_DELEGATECALL = 0xff;
    /// @dev ERC-7579 exec types (mode byte 1): revert on failure, or try (carry on).
    uint8 internal constant EXECTYPE_DEFAULT = 0x00;
    uint8 internal constant EXECTYPE_TRY = 0x01;

    /// @notice Splits a mode into call type and exec type; `ok` only when every other byte
    /// (unused, selector, payload) is zero, so no mode the policy did not read can apply.
    function decodeMode(bytes32 mode) internal pure returns (bool ok, uint8 callType, uint8 execType) {
        callType = uint8(mode[0]);
        execType = uint8(mode[1]);
        ok = uint256(mode) << 16 == 0;
    }

    /// @notice Splits `execute(mode, executionCalldata)` calldata into its two arguments.
    /// @dev Layout: selector | mode | offset (must be 0x40) | length | data padded to 32 bytes,
    /// and nothing after it.
    function decodeExecute(
        bytes calldata callData
    ) internal pure returns (bool ok, bytes32 mode, bytes calldata executionCalldata) {
        // Bounded by calldata sizes, checked above each use: no overflow.
        unchecked {
            executionCalldata = callData[0:0];
            if (callData.length < 100 || bytes4(callData[0:4]) != EXECUTE_SELECTOR) return (false, 0, executionCalldata);
            mode = bytes32(_word(callData, 4));
            uint256 offset = _word(callData, 36);
            uint256 length = _word(callData, 68);
            if (offset != 0x40 || length > callData.length) return (false, mode, executionCalldata);
            if (callData.length != 100 + _ceil32(length)) return (false, mode, executionCalldata);
            return (true, mode, callData[100:100 + length]);
        }
    }

    /// @notice Reads a single execution: `target (20 bytes) | value (32 bytes) | calldata`.
    function decodeSingle(
        bytes calldata executionCalldata
    ) internal pure returns (bool ok, address target, uint256 value, bytes calldata data) {
        if (executionCalldata.length < 52) return (false, address(0), 0, executionCalldata[0:0]);
        target = address(uint160(_word(executionCalldata, 0) >> 96));
        value = _word(executionCalldata, 20);
        data = executionCalldata[52:];
        ok = true;
    }

    /// @notice Reads a delegatecall execution: `target (20 bytes) | calldata`.
    function decodeDelegate(
        bytes calldata executionCalldata
    ) internal pure returns (bool ok, address target, bytes calldata data) {
        if (executionCalldata.length < 20) return (false, address(0), executionCalldata[0:0]);
        return (true, address(bytes20(executionCalldata[0:20])), executionCalldata[20:]);
    }

    /// @notice Reads the length of a batch (`abi.encode(Execution[])`) after checking its head.
    /// @dev The head must be offset 0x20, then a length whose offset table fits the buffer.
    function batchLength(bytes calldata executionCalldata) internal pure returns (bool ok, uint256 count) {
        // Bounded by calldata sizes, checked above each use: no overflow.
        unchecked {
            if (executionCalldata.length < 0x40) return (false, 0);
            if (_word(executionCalldata, 0) != 0x20) return (false, 0);
            count = _word(executionCalldata, 0x20);
            if (count == 0 || count > (executionCalldata.length - 0x40) / 0x20) return (false, 0);
            ok = true;
        }
    }

    /// @notice Reads element `index` of a batch whose previous elements were read in order.
    /// @param expectedOffset Where the canonical encoding puts this element, relative to the
    /// offset table; the first is `count * 32`. Returns where the next one must start.
    function batchAt(
        bytes calldata executionCalldata,
        uint256 index,
        uint256 expectedOffset
    ) internal pure returns (bool ok, address target, uint256 value, bytes calldata data, uint256 nextOffset) {
        // Bounded by calldata sizes, checked above each use: no overflow.
        unchecked {
            data = executionCalldata[0:0];
            if (_word(executionCalldata, 0x40 + index * 0x20) != expectedOffset) return (false, address(0), 0, data, 0);
            uint256 base = 0x40 + expectedOffset;
            uint256 length;
            (ok, length) = _elementShape(executionCalldata, base);
            if (!ok) return (false, address(0), 0, data, 0);
            target = address(uint160(_word(executionCalldata, base)));
            value = _word(executionCalldata, base + 0x20);
            data = executionCalldata[base + 0x80:base + 0x80 + length];
            nextOffset = expectedOffset + 0x80 + _ceil32(length);
        }
    }

    /// @dev An element is `target | value | 0x60 | length | data padded`, inside the buffer,
    /// with a clean address word.
    function _elementShape(bytes calldata buffer, uint256 base) private pure returns (bool, uint256 length) {
        // Bounded by calldata sizes, checked above each use: no overflow.
        unchecked {
            uint256 total = buffer.length;
            if (base > total || total - base < 0x80) return (false, 0);
            if (_word(buffer, base) >> 160 != 0 || _word(buffer, base + 0x40) != 0x60) return (false, 0);
            length = _word(buffer, base + 0x60);
            if (length > total || total - base - 0x80 < _ceil32(length)) return (false, 0);
            return (true, length);
        }
    }

    /// @dev The 32-byte word at `position`; every caller has checked that
    /// `position + 32 <= buffer.length`, so the read never leaves the buffer.
    function _word(bytes calldata buffer, uint256 position) internal pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := calldataload(add(buffer.offset, position))
        }
    }

    /// @notice True when the batch ends exactly where its last element ends.
    function batchEndsAt(bytes calldata executionCalldata, uint256 endOffset) internal pure returns (bool) {
        return executionCalldata.length == 0x40 + endOffset;
    }

    function _ceil32(uint256 length) private pure returns (uint256) {
        // Callers pass lengths at most the calldata size: no overflow.
        unchecked {
            return (length + 31) & ~uint256(31);
        }
    }
}
