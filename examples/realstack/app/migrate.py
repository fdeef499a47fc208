"""The one-shot migration: creates the schema, then exits 0; the app starts after it."""
import os

import psycopg2

with open(os.environ["DB_PASSWORD_FILE"]) as f:
    password = f.read().strip()
with psycopg2.connect(host=os.environ["DB_HOST"], user="postgres", password=password) as conn:
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS visits (id serial PRIMARY KEY, at timestamptz DEFAULT now(), served_by text)")
print("migrated")
