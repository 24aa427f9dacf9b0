/** Stops the PostgreSQL server that globalSetup.js started. */
export default async function globalTeardown() {
  await globalThis.paperbotPostgres?.stop();
}
