{
  "targets": [
    {
      "target_name": "shark_stat",
      "sources": ["native/stat.c", "native/pipe.c"],
      "cflags": ["-O2", "-ffp-contract=off", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
