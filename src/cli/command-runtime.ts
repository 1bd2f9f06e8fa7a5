import { ConfigError, loadConfig, type Config } from '../config.ts';
import { TerritoryError } from '../features/territory/territory.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import { EXIT, type CliOutput } from './output.ts';

/**
 * The configuration and runtime a command works with (configuration, territory, migrated database), or the exit code
 * after saying in French what prevents it: a configuration or territory error is a usage error, the
 * rest (an unreachable database…) a failure.
 */
export async function openCommandRuntime(io: CliOutput): Promise<{ config: Config; runtime: Runtime } | number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return EXIT.usage;
    }
    throw e;
  }
  try {
    return { config, runtime: await createRuntime(config) };
  } catch (e) {
    if (e instanceof TerritoryError) {
      io.err(e.message);
      return EXIT.usage;
    }
    io.err(`Erreur : ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failure;
  }
}
