// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title TestNft
/// @notice An ERC-721 with open minting, for tests only.
contract TestNft is ERC721 {
    constructor() ERC721("Test NFT", "TNFT") {}

    /// @notice Mints token `id` to `to`; anyone may call it (test collection).
    function mint(address to, uint256 id) external {
        _mint(to, id);
    }
}
