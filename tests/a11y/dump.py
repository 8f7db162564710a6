import sys, time, ek_a11y
app = ek_a11y.find_app()
ek_a11y.wait_page(sys.argv[1] if len(sys.argv) > 1 else "start")
time.sleep(1)
ek_a11y.dump(ek_a11y.active_window(app))
