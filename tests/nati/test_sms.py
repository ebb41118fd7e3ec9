import json

from nati.sms import sms_send


def test_the_file_backend_writes_one_line_per_sms(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path
    sms_send(to="+68987701234", text="Votre code : 123456")
    (path,) = tmp_path.iterdir()
    line = json.loads(path.read_text())
    assert line["to"] == "+68987701234" and line["text"] == "Votre code : 123456"
