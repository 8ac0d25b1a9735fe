import { loadConfig } from './config';
import { DEMO_ADMIN, demoUsers, ensureDemoTenant } from './demo-tenant';
import { startServer } from './server';

/** `npm start`: database, migrations, demo tenant, HTTP server; Ctrl-C / SIGTERM stop it cleanly. */
async function main() {
  const config = loadConfig();
  const server = await startServer({ config });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'stopping');
    try {
      await server.close();
      process.exit(0);
    } catch (e) {
      console.error(e);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const lines = [`Forma is running at ${server.url}`];
  if (!config.databaseUrl) lines.push(`Embedded PostgreSQL data: ${config.dataDir}`);
  if (config.demo) {
    const state = await ensureDemoTenant(server.runtime);
    lines.push(
      `Demo tenant (${state}): tenant "${DEMO_ADMIN.tenant}", e-mail ${DEMO_ADMIN.email}, password ${DEMO_ADMIN.password}`,
    );
    for (const u of demoUsers(server.runtime)) lines.push(`  ${u.email} / ${u.password} (${u.roles.join(', ')})`);
  }
  if (config.platformTokenGenerated)
    lines.push(`Platform token (set PLATFORM_TOKEN to fix it): ${config.platformToken}`);
  console.log(`\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

main().catch((e) => {
  console.error('Forma failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
