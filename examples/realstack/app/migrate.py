"""The one-shot migration: creates the schema, then exits 0; the app starts after it.
Like most real migrations it retries its first connection for a while."""
import os
import time

import psycopg2

with open(os.environ["DB_PASSWORD_FILE"]) as f:
    password = f.read().strip()
for attempt in range(30):
    try:
        conn = psycopg2.connect(host=os.environ["DB_HOST"], user="postgres", password=password, connect_timeout=5)
        break
    except psycopg2.OperationalError as e:
        print(f"db not reachable yet ({e}".strip() + "), retrying", flush=True)
        time.sleep(1)
else:
    raise SystemExit("db not reachable")
with conn, conn.cursor() as cur:
    cur.execute("CREATE TABLE IF NOT EXISTS visits (id serial PRIMARY KEY, at timestamptz DEFAULT now(), served_by text)")
print("migrated")
