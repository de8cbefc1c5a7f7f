"""What gunicorn imports: `gunicorn -c docker/gunicorn.conf.py wsgi:app`."""

from teamchat import create_app

app = create_app()
