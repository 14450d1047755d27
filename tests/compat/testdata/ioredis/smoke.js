// ioredis smoke test: connects the way the lesson's Node services do
// (ready check through INFO, SELECT, CLIENT SETNAME), then runs the
// lesson's basic operations and prints one JSON line of results.
const Redis = require('ioredis');

async function main() {
  const port = Number(process.argv[2]);
  const redis = new Redis({ host: '127.0.0.1', port, db: 1, connectionName: 'ioredis-smoke',
    retryStrategy: () => null, maxRetriesPerRequest: 1 });
  const out = {};
  out.ping = await redis.ping();
  out.set = await redis.set('user:123', JSON.stringify({ name: 'Alice', plan: 'premium' }), 'EX', 3600);
  out.get = JSON.parse(await redis.get('user:123'));
  out.ttl = await redis.ttl('user:123');
  out.exists = await redis.exists('user:123');
  out.incr = await redis.incr('api:requests:user:123');
  out.mget = await redis.mget('user:123', 'nope');
  const pipe = redis.pipeline();
  for (let i = 0; i < 100; i++) pipe.set(`product:${i}`, `p${i}`, 'EX', 7200);
  const res = await pipe.exec();
  out.pipeline = res.filter(([err, r]) => !err && r === 'OK').length;
  out.name = await redis.client('GETNAME');
  out.del = await redis.del('user:123');
  out.getMissing = await redis.get('user:123');
  try { await redis.call('NOSUCHCMD'); } catch (e) { out.error = e.message; }
  out.dbsize = await redis.dbsize();
  await redis.quit();
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
