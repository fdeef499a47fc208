"""A visit counter: each request is counted in Redis and recorded in PostgreSQL, with the
name of the replica that served it."""
import os
import socket

import psycopg2
import redis
from flask import Flask

app = Flask(__name__)
cache = redis.Redis(host=os.environ["REDIS_HOST"])
with open(os.environ["DB_PASSWORD_FILE"]) as f:
    password = f.read().strip()


def db():
    return psycopg2.connect(host=os.environ["DB_HOST"], user="postgres", password=password)


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
        cur.execute("INSERT INTO visits (served_by) VALUES (%s)", (socket.gethostname(),))
        cur.execute("SELECT count(*) FROM visits")
        (visits,) = cur.fetchone()
    return f"hits={hits} visits={visits}\n"
