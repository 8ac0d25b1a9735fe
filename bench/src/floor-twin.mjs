/**
 * The floor twin (issue 27): the least any HTTP records API can cost on this machine. A bare fastify
 * server in a process of its own (like Forma's), keep-alive, no auth, no validation, no metadata,
 * running the raw twins' SQL through a `pg` pool and answering the rows as JSON with
 * `JSON.stringify`. Plain JavaScript, so nothing is compiled at start.
 *
 * Config (env FLOOR_CONFIG, JSON): { databaseUrl, poolMax, list: { sql }, read: { sql },
 * save: { insertSql, insertValues, auditSql } } — each route only when its statement is given.
 * Prints `floor twin listening at <url>` once it serves.
 */
import Fastify from 'fastify';
import pg from 'pg';

const config = JSON.parse(process.env.FLOOR_CONFIG ?? '{}');
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolMax ?? 10 });
pool.on('error', () => {});
const app = Fastify({ logger: false });

if (config.list)
  app.get('/list', async (request, reply) => {
    const { rows } = await pool.query(config.list.sql, [request.query.stage]);
    reply.type('application/json');
    return JSON.stringify({ items: rows, nextCursor: null });
  });

if (config.read)
  app.get('/read/:id', async (request, reply) => {
    const { rows } = await pool.query(config.read.sql, [request.params.id]);
    if (!rows[0]) return reply.status(404).send({ error: 'not found' });
    reply.type('application/json');
    return JSON.stringify(rows[0]);
  });

if (config.save)
  app.post('/save', async (_request, reply) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const row = (await client.query(config.save.insertSql, config.save.insertValues)).rows[0];
      await client.query(config.save.auditSql, [row.id]);
      await client.query('commit');
      reply.status(201).type('application/json');
      return JSON.stringify(row);
    } catch (e) {
      await client.query('rollback').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  });

const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`floor twin listening at ${url}`);
const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
