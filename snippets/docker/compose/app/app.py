"""A hit counter: Redis keeps the count, MariaDB keeps one row per visit."""
import os

import pymysql
import redis
from flask import Flask

app = Flask(__name__)
# Service names from compose.yaml are host names on the project's network.
cache = redis.Redis(host="redis", port=6379)


def database():
    return pymysql.connect(host="db", user=os.environ["DB_USER"], password=os.environ["DB_PASSWORD"],
                           database=os.environ["DB_NAME"], autocommit=True)


@app.get("/")
def count_visit():
    hits = cache.incr("hits")
    with database() as db, db.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS visits"
                       " (id INT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)")
        cursor.execute("INSERT INTO visits () VALUES ()")
        cursor.execute("SELECT COUNT(*) FROM visits")
        (rows,) = cursor.fetchone()
    return f"Hello from Compose! Redis hits: {hits}, MariaDB visit rows: {rows}\n"


@app.get("/health")
def health():
    cache.ping()
    database().close()
    return "ok\n"
