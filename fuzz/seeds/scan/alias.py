import subprocess as sp
from os import system as s
sp.Popen('ls', shell=True)
s('id')
__import__('os').system(x)
