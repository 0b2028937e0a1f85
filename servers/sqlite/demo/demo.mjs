// npm run demo: a small shop database, then the SQLite server's best features on it.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export const demo = {
  async setup(tmpDir) {
    const Database = require('better-sqlite3');
    const dbPath = join(tmpDir, 'shop.db');
    const db = new Database(dbPath);
    db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), total REAL NOT NULL, placed_at TEXT NOT NULL);
      CREATE INDEX orders_customer ON orders(customer_id);`);
    const cities = ['Lyon', 'Porto', 'Graz', 'Turku'];
    const addCustomer = db.prepare('INSERT INTO customers (name, city) VALUES (?, ?)');
    const addOrder = db.prepare('INSERT INTO orders (customer_id, total, placed_at) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= 200; i++) addCustomer.run(`Customer ${i}`, cities[i % cities.length]);
      for (let i = 1; i <= 50_000; i++)
        addOrder.run((i % 200) + 1, Math.round(((i * 37) % 500) + 5), `2026-0${(i % 9) + 1}-1${i % 10}`);
    })();
    db.close();
    return {
      args: ['--db-path', dbPath],
      calls: [
        { name: 'describe_table', arguments: { table_name: 'orders' } },
        {
          name: 'read_query',
          arguments: {
            query:
              'WITH spend AS (SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id) SELECT c.city, round(sum(s.total), 2) AS revenue FROM spend s JOIN customers c ON c.id = s.customer_id WHERE c.city <> :skip GROUP BY c.city ORDER BY revenue DESC',
            params: { skip: 'Graz' },
          },
        },
        { name: 'read_query', arguments: { query: 'SELECT * FROM orders' } },
        { name: 'read_query', arguments: { query: "ATTACH '/tmp/elsewhere.db' AS other" } },
        { name: 'explain_query', arguments: { query: 'SELECT * FROM orders WHERE customer_id = ?', params: [7] } },
        {
          name: 'append_insight',
          arguments: { insight: 'Outside Graz, Lyon customers bring the most revenue, just ahead of Turku.' },
        },
      ],
      views: [
        {
          tool: 'read_query',
          arguments: {
            query:
              'SELECT o.id, c.name, c.city, o.total, o.placed_at FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.id',
          },
          ready: 'tbody tr',
          screenshot: 'servers/sqlite/docs/results-view.png',
        },
        {
          tool: 'read_query',
          arguments: {
            query:
              'SELECT substr(placed_at, 1, 7) AS month, round(sum(total)) AS revenue, count(*) AS orders FROM orders GROUP BY month ORDER BY month',
          },
          ready: 'button[data-mode="bar"]',
          clicks: ['button[data-mode="bar"]'],
          after: 'svg.chart',
          screenshot: 'servers/sqlite/docs/results-chart.png',
        },
      ],
    };
  },
};
