"""Trojan Source and look-alike names; the clean half must stay quiet."""
import os as ехес_os

access = "user"
if access != "none‮ ⁦# admins only⁩ ⁦":
    print("granted")

def is_admin(u):
    return False  # ‮ )u(nimda_eurt nruter

ｅｘｅｃ("print(1)")
ㅤ = __import__("subprocess")
pаth = "/etc/passwd"

# Honest Unicode: none of these is reported.
greeting = "שלום ‏!"
имя = "иван"
α, Δt = 0.5, 0.1
naïve = True
escaped = "\u202e"
