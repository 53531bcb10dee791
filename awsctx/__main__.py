from awsctx.main import main

raise SystemExit(main())
