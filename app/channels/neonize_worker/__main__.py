from app.channels.neonize_worker.main import run_and_exit

run_and_exit()
