// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestToken
/// @notice An ERC-20 with open minting, for tests and the demo only.
contract TestToken is ERC20 {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /// @notice Mints `amount` to `to`; anyone may call it (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice ERC-677-style transfer with data (the callback is left out): moves tokens like
    /// `transfer`, under another selector that a session's token limit cannot count.
    function transferAndCall(address to, uint256 amount, bytes calldata) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }
}
