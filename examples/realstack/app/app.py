"""A visit counter: each request is counted in Redis and recorded in PostgreSQL."""
import os

import psycopg2
import redis
from flask import Flask

app = Flask(__name__)
cache = redis.Redis(host=os.environ["REDIS_HOST"])


def db():
    return psycopg2.connect(os.environ["DATABASE_URL"])


with db() as conn, conn.cursor() as cur:
    cur.execute("CREATE TABLE IF NOT EXISTS visits (id serial PRIMARY KEY, at timestamptz DEFAULT now())")


@app.get("/health")
def health():
    cache.ping()
    with db() as conn, conn.cursor() as cur:
        cur.execute("SELECT 1")
    return "ok\n"


@app.get("/")
def index():
    hits = cache.incr("hits")
    with db() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO visits DEFAULT VALUES")
        cur.execute("SELECT count(*) FROM visits")
        (visits,) = cur.fetchone()
    return f"hits={hits} visits={visits}\n"
