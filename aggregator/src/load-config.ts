import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError, parseConfig, type KpiwallConfig } from '@kpiwall/shared';

/**
 * The configuration of a CLI run: `.env` in the working directory (if any), overridden by the
 * real environment. On a bad value prints the message naming the variable and exits 2.
 */
export const loadConfigOrExit = (): KpiwallConfig => {
  const dotenv = existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')) : {};
  try {
    return parseConfig({ ...dotenv, ...process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kpiwall: ${error.message}\nSee README.md "Configuration".\n`);
    process.exit(2);
  }
};
