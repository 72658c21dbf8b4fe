"""A small Flask app with the usual web mistakes."""
import sqlite3

import requests
from flask import Flask, request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

app = Flask(__name__)
app.config["SECRET_KEY"] = "dev-8c1f2a9e"
DB_PASSWORD = "s3cr3t-Pa55"
DB_USER = "app"
templates = Environment(loader=FileSystemLoader("templates"))
safe_templates = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape())


@app.route("/user")
def user():
    name = request.args.get("name", "")
    db = sqlite3.connect("app.db")
    row = db.execute(f"SELECT bio FROM users WHERE name = '{name}'").fetchone()
    same = db.execute("SELECT bio FROM users WHERE name = ?", (name,)).fetchone()
    return Markup("<p>%s</p>" % row[0]) if row == same else Markup("<p>none</p>")


@app.route("/proxy")
def proxy():
    return requests.get(request.args["u"], verify=False).text


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=True)
