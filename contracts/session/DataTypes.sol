// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice What a session may call on one destination contract (the seed's
/// `{ whitelistDestination, whitelistMethods, tokenAmount }`).
/// @dev `tokenLimit` is the cumulative amount of the destination token that the session
/// may move with `transfer`, `approve`, `transferFrom` and `increaseAllowance`, all
/// counted together. `type(uint256).max` means "no token limit"; any other value must fit
/// in 120 bits (far above any real token supply).
struct Permission {
    address target;
    bytes4[] selectors;
    uint256 tokenLimit;
}

/// @notice Everything the owner approves when granting a session.
/// @dev The session id is `keccak256(abi.encode(sessionKey, salt))`: the key is bound to
/// the id, so validation recovers the signer and derives the id instead of reading a stored
/// key. The window is enforced by the EntryPoint through `validationData`.
struct SessionConfig {
    address sessionKey;
    bytes32 salt;
    uint48 validAfter;
    uint48 validUntil;
    bool enabled;
    Permission[] permissions;
}

/// @dev One storage slot per session and account.
struct SessionState {
    uint48 validAfter;
    uint48 validUntil;
    uint32 epoch;
    uint8 status;
    bool enabled;
}

/// @dev One storage slot per session, account and destination: the permitted token
/// selectors as bits (so an ERC-20 call needs this one slot only), and the cumulative
/// limit with its counter.
struct TargetPolicy {
    uint16 flags;
    uint120 limit;
    uint120 spent;
}

/// @dev One storage slot per account: the epoch that revoke-all and uninstall increase.
struct AccountState {
    uint32 epoch;
    bool installed;
}
