/** The README's facts that come from the code: addresses and limits stay true. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import {
  create2DeployerAddress,
  entryPointAddress,
  maxGasBudget,
  maxOneOfValues,
  maxPermissionsPerSession,
  maxRulesPerSelector,
  maxTokenLimit,
  sessionAccountFactoryAddress,
  sessionKeyValidatorAddress,
  sessionStoreLibAddress,
} from '../../src/index.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const section = readme.slice(readme.indexOf('## Using the package'), readme.indexOf('## Two commands'))

describe('README: using the package', () => {
  it('gives the deterministic addresses the build computes', () => {
    const row = (name: string) => new RegExp(`\\| ${name} +\\| \`(0x[0-9a-fA-F]{40})\` +\\|`).exec(section)?.[1]
    assert.equal(row('SessionKeyValidator'), sessionKeyValidatorAddress)
    assert.equal(row('SessionStoreLib'), sessionStoreLibAddress)
    assert.equal(row('SessionAccountFactory'), sessionAccountFactoryAddress)
    assert.equal(row('EntryPoint v0.7'), entryPointAddress)
    assert.ok(section.includes(create2DeployerAddress))
  })

  it('states the limits the SDK enforces', () => {
    assert.match(section, new RegExp(`at most ${maxPermissionsPerSession} destinations`))
    assert.equal(maxTokenLimit + 1n, 2n ** 120n)
    assert.match(section, /token amounts below 2\^120/)
    assert.equal(maxGasBudget + 1n, 2n ** 104n)
    assert.match(section, /gas budget below 2\^104/)
    assert.match(
      section,
      new RegExp(`${maxRulesPerSelector} argument rules per method, ${maxOneOfValues} values for \`oneOf\``),
    )
  })
})
